/**
 * The storefront's tracking plan: every shop action mapped to its catalog event (Segment
 * e-commerce spec v2 names and properties, see shared/catalog). Views call these functions and
 * never build event properties themselves, so one file shows everything the shop sends.
 */
import { totals, type Cart, type CartLine } from './cart.js';
import { CURRENCY, PROMOTION, type Product } from './products.js';

/** What the plan needs from an analytics client: the browser SDK's calls. */
export interface Tracker {
  track(type: string, properties?: Record<string, unknown>): void;
  page(name: string, properties?: Record<string, unknown>): void;
  identify(userId: string, traits?: Record<string, unknown>): void;
}

export type ShippingMethod = 'standard' | 'express';

function productProperties(product: Product, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    product_id: product.id,
    sku: product.sku,
    name: product.name,
    brand: product.brand,
    category: product.category,
    price: product.price,
    url: `${location.origin}/#/product/${product.id}`,
    ...extra,
  };
}

function lineProperties(line: CartLine, position: number): Record<string, unknown> {
  return productProperties(line.product, { quantity: line.quantity, position });
}

function orderProperties(cart: Cart, checkoutId: string, shippingMethod: ShippingMethod): Record<string, unknown> {
  const sums = totals(cart, shippingMethod);
  return {
    checkout_id: checkoutId,
    affiliation: 'Leaf & Kettle web shop',
    subtotal: sums.subtotal,
    total: sums.total,
    revenue: Math.round((sums.total - sums.shipping - sums.tax) * 100) / 100, // net of shipping and VAT
    shipping: sums.shipping,
    tax: sums.tax,
    discount: sums.discount,
    ...(cart.coupon ? { coupon: cart.coupon } : {}),
    currency: CURRENCY,
    products: cart.lines.map((line, i) => lineProperties(line, i + 1)),
  };
}

export function createTrackingPlan(tracker: Tracker) {
  return {
    pageViewed(name: string, category?: string): void {
      tracker.page(name, { path: location.hash.slice(1) || '/', title: document.title, url: location.href, referrer: document.referrer, ...(category ? { category } : {}) });
    },
    productListViewed(listId: string, products: readonly Product[], category?: string): void {
      tracker.track('Product List Viewed', { list_id: listId, ...(category ? { category } : {}), products: products.map((p, i) => productProperties(p, { position: i + 1 })) });
    },
    productsSearched(query: string): void {
      tracker.track('Products Searched', { query });
    },
    productViewed(product: Product): void {
      tracker.track('Product Viewed', productProperties(product, { currency: CURRENCY }));
    },
    productAdded(cart: Cart, product: Product, quantity: number): void {
      tracker.track('Product Added', { cart_id: cart.id, ...productProperties(product, { quantity }) });
    },
    productRemoved(cart: Cart, line: CartLine): void {
      tracker.track('Product Removed', { cart_id: cart.id, ...productProperties(line.product, { quantity: line.quantity }) });
    },
    cartViewed(cart: Cart): void {
      tracker.track('Cart Viewed', { cart_id: cart.id, products: cart.lines.map((line, i) => lineProperties(line, i + 1)) });
    },
    couponApplied(cart: Cart, couponId: string, code: string): void {
      tracker.track('Coupon Applied', { cart_id: cart.id, coupon_id: couponId, coupon_name: code, discount: totals(cart).discount });
    },
    promotionViewed(): void {
      tracker.track('Promotion Viewed', { promotion_id: PROMOTION.id, creative: PROMOTION.creative, name: PROMOTION.name, position: PROMOTION.position });
    },
    promotionClicked(): void {
      tracker.track('Promotion Clicked', { promotion_id: PROMOTION.id, creative: PROMOTION.creative, name: PROMOTION.name, position: PROMOTION.position });
    },
    checkoutStarted(cart: Cart, checkoutId: string): void {
      tracker.track('Checkout Started', orderProperties(cart, checkoutId, 'standard'));
    },
    identified(email: string, name: string): void {
      // The demo's user id is derived from the email; a real shop uses its account id.
      tracker.identify(`user-${email.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, { email, name });
    },
    checkoutStepCompleted(checkoutId: string, step: number, shippingMethod: ShippingMethod, paymentMethod?: string): void {
      tracker.track('Checkout Step Completed', { checkout_id: checkoutId, step, shipping_method: shippingMethod, ...(paymentMethod ? { payment_method: paymentMethod } : {}) });
    },
    paymentInfoEntered(checkoutId: string, step: number, shippingMethod: ShippingMethod, paymentMethod: string): void {
      tracker.track('Payment Info Entered', { checkout_id: checkoutId, step, shipping_method: shippingMethod, payment_method: paymentMethod });
    },
    orderCompleted(cart: Cart, checkoutId: string, orderId: string, shippingMethod: ShippingMethod, paymentMethod: string): void {
      tracker.track('Order Completed', { order_id: orderId, ...orderProperties(cart, checkoutId, shippingMethod), shipping_method: shippingMethod, payment_method: paymentMethod });
    },
  };
}

export type TrackingPlan = ReturnType<typeof createTrackingPlan>;
