/**
 * The storefront demo: hash-routed pages (list, product, cart, checkout, confirmation) that
 * send every e-commerce catalog event through the browser SDK, and a live panel showing them
 * land in the lake. Collector endpoint and write key come from the demo server (/demo/config.json).
 */
import { addToCart, itemCount, loadCart, removeFromCart, saveCart, totals, type Cart } from './cart.js';
import { startLivePanel } from './live-panel.js';
import { COUPONS, findProduct, PRODUCTS, PROMOTION, searchProducts } from './products.js';
import { connectSdk, type DemoConfig } from './sdk-tracker.js';
import { createTrackingPlan, type ShippingMethod, type TrackingPlan } from './tracking-plan.js';
import { renderCartPage } from './views/cart-page.js';
import { renderCheckoutPage, type CheckoutState } from './views/checkout-page.js';
import { renderConfirmationPage, type PlacedOrder } from './views/confirmation-page.js';
import { renderProductList } from './views/product-list.js';
import { renderProductPage } from './views/product-page.js';

const newId = () => crypto.randomUUID();

interface Shop {
  readonly plan: TrackingPlan;
  readonly cart: Cart;
  readonly flush: () => Promise<void>;
  checkout?: CheckoutState;
  lastOrder?: PlacedOrder;
  couponMessage?: { ok: boolean; text: string };
}

async function main(): Promise<void> {
  const config = (await (await fetch('/demo/config.json', { cache: 'no-store' })).json()) as DemoConfig;
  const sdk = connectSdk(config);
  const shop: Shop = { plan: createTrackingPlan(sdk.tracker), cart: loadCart(localStorage, newId), flush: sdk.flush };
  startLivePanel(document.getElementById('live')!, '/demo/events', sdk.counts);
  document.getElementById('endpoint')!.textContent = `${config.endpoint} · key ${config.writeKey}`;

  const app = document.getElementById('app')!;
  const route = () => {
    renderRoute(shop, app);
    updateBadge(shop.cart);
    window.scrollTo(0, 0);
  };
  window.addEventListener('hashchange', route);
  app.addEventListener('click', (event) => onClick(shop, event));
  app.addEventListener('submit', (event) => onSubmit(shop, event));
  route();
}

function renderRoute(shop: Shop, app: HTMLElement): void {
  const [, page = '', arg = ''] = location.hash.split('/');
  const param = decodeURIComponent(arg);
  const { plan, cart } = shop;
  switch (page) {
    case 'product': {
      const product = findProduct(param);
      if (!product) return void (location.hash = '#/');
      setView(app, renderProductPage(product).value, product.name);
      plan.pageViewed('Product', product.category);
      plan.productViewed(product);
      return;
    }
    case 'category': {
      const products = PRODUCTS.filter((p) => p.category === param);
      setView(app, renderProductList({ title: param, products, category: param, showPromotion: false }).value, param);
      plan.pageViewed('Category', param);
      plan.productListViewed(`category-${param.toLowerCase().replace(/\s+/g, '-')}`, products, param);
      return;
    }
    case 'search': {
      const products = searchProducts(param);
      setView(app, renderProductList({ title: `Results for “${param}”`, products, query: param, showPromotion: false }).value, 'Search');
      plan.pageViewed('Search');
      plan.productListViewed('search-results', products);
      return;
    }
    case 'cart':
      setView(app, renderCartPage(cart, shop.couponMessage).value, 'Cart');
      shop.couponMessage = undefined;
      plan.pageViewed('Cart');
      plan.cartViewed(cart);
      return;
    case 'checkout': {
      if (cart.lines.length === 0) return void (location.hash = '#/cart');
      if (!shop.checkout) {
        shop.checkout = { checkoutId: newId(), step: 1, shippingMethod: 'standard' };
        plan.checkoutStarted(cart, shop.checkout.checkoutId);
      }
      setView(app, renderCheckoutPage(cart, shop.checkout).value, 'Checkout');
      plan.pageViewed(`Checkout step ${shop.checkout.step}`);
      return;
    }
    case 'order':
      setView(app, renderConfirmationPage(shop.lastOrder).value, 'Order confirmed');
      plan.pageViewed('Order Confirmation');
      return;
    default:
      setView(app, renderProductList({ title: 'All teas', products: PRODUCTS, showPromotion: true }).value, 'Shop');
      plan.pageViewed('Home');
      plan.productListViewed('all', PRODUCTS);
      plan.promotionViewed();
  }
}

function setView(app: HTMLElement, markup: string, title: string): void {
  app.innerHTML = markup;
  document.title = `${title} · Leaf & Kettle`;
}

function onClick(shop: Shop, event: MouseEvent): void {
  const target = (event.target as HTMLElement).closest<HTMLElement>('[data-action]');
  if (!target || target.tagName === 'FORM') return;
  const { plan, cart } = shop;
  switch (target.dataset.action) {
    case 'add': {
      event.preventDefault();
      const product = findProduct(target.dataset.product ?? '');
      if (!product) return;
      const qtyInput = target.dataset.qtyFrom ? document.getElementById(target.dataset.qtyFrom) : null;
      const quantity = Math.max(1, Math.min(20, Number((qtyInput as HTMLInputElement | null)?.value ?? 1) || 1));
      addToCart(cart, product, quantity);
      saveCart(localStorage, cart);
      plan.productAdded(cart, product, quantity);
      updateBadge(cart);
      toast(`${product.name} added to cart`);
      return;
    }
    case 'remove': {
      const line = removeFromCart(cart, target.dataset.product ?? '');
      if (!line) return;
      saveCart(localStorage, cart);
      plan.productRemoved(cart, line);
      renderRoute(shop, document.getElementById('app')!);
      updateBadge(cart);
      return;
    }
    case 'promotion':
      plan.promotionClicked();
      applyCoupon(shop, PROMOTION.coupon);
      return; // the link goes on to #/cart
  }
}

function onSubmit(shop: Shop, event: SubmitEvent): void {
  const form = event.target as HTMLFormElement;
  event.preventDefault();
  const data = new FormData(form);
  const { plan, cart } = shop;
  switch (form.dataset.action) {
    case 'search': {
      const query = String(data.get('q') ?? '').trim().slice(0, 100);
      if (!query) return;
      plan.productsSearched(query);
      location.hash = `#/search/${encodeURIComponent(query)}`;
      return;
    }
    case 'coupon':
      applyCoupon(shop, String(data.get('code') ?? ''));
      renderRoute(shop, document.getElementById('app')!);
      return;
    case 'shipping': {
      const checkout = shop.checkout!;
      checkout.email = String(data.get('email'));
      checkout.name = String(data.get('name'));
      checkout.shippingMethod = String(data.get('shipping')) as ShippingMethod;
      plan.identified(checkout.email, checkout.name);
      plan.checkoutStepCompleted(checkout.checkoutId, 1, checkout.shippingMethod);
      checkout.step = 2;
      renderRoute(shop, document.getElementById('app')!);
      return;
    }
    case 'payment': {
      const checkout = shop.checkout!;
      const paymentMethod = String(data.get('payment'));
      plan.paymentInfoEntered(checkout.checkoutId, 2, checkout.shippingMethod, paymentMethod);
      plan.checkoutStepCompleted(checkout.checkoutId, 2, checkout.shippingMethod, paymentMethod);
      const orderId = `ORD-${Date.now().toString(36).toUpperCase()}`;
      plan.orderCompleted(cart, checkout.checkoutId, orderId, checkout.shippingMethod, paymentMethod);
      shop.lastOrder = { orderId, email: checkout.email ?? '', itemCount: itemCount(cart), totals: totals(cart, checkout.shippingMethod) };
      // The order is the event that matters most: send it now rather than at the next interval.
      void shop.flush();
      cart.lines = [];
      delete cart.coupon;
      saveCart(localStorage, { ...cart, id: newId() });
      shop.checkout = undefined;
      location.hash = `#/order/${orderId}`;
      return;
    }
  }
}

function applyCoupon(shop: Shop, rawCode: string): void {
  const code = rawCode.trim().toUpperCase();
  const coupon = COUPONS[code];
  if (!coupon) {
    shop.couponMessage = { ok: false, text: `“${rawCode.trim()}” is not a valid code.` };
    return;
  }
  shop.cart.coupon = code;
  saveCart(localStorage, shop.cart);
  shop.couponMessage = { ok: true, text: `${code}: ${coupon.percentOff}% off applied.` };
  shop.plan.couponApplied(shop.cart, coupon.id, code);
}

function updateBadge(cart: Cart): void {
  const count = itemCount(cart);
  const badge = document.getElementById('cart-count')!;
  badge.textContent = String(count);
  badge.hidden = count === 0;
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;
function toast(text: string): void {
  const element = document.getElementById('toast')!;
  element.textContent = text;
  element.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => element.classList.remove('show'), 1800);
}

void main().catch((error: unknown) => {
  document.getElementById('app')!.textContent = `The demo could not start: ${String(error)}`;
});
