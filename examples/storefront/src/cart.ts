/**
 * The cart: lines, coupon and the totals every checkout event reports. Plain data plus pure
 * functions, so the views and the analytics mapping agree on one set of numbers.
 */
import { COUPONS, findProduct, type Product } from './products.js';

export interface CartLine {
  readonly product: Product;
  quantity: number;
}

export interface Cart {
  readonly id: string;
  lines: CartLine[];
  coupon?: string;
}

export interface CartTotals {
  readonly subtotal: number;
  readonly discount: number;
  readonly shipping: number;
  readonly tax: number;
  readonly total: number;
}

/** Orders under this get flat-rate shipping. */
export const FREE_SHIPPING_FROM = 40;
export const SHIPPING_FLAT = 4.9;
export const SHIPPING_EXPRESS = 9.9;
/** Prices include VAT; this is the VAT share reported as `tax`. */
export const VAT_RATE = 0.19;
/** Per line, so a stuck button cannot build an absurd cart. */
export const LINE_QUANTITY_MAX = 20;

const CART_STORAGE_KEY = 'shopstream-demo-cart';

export function emptyCart(id: string): Cart {
  return { id, lines: [] };
}

export function addToCart(cart: Cart, product: Product, quantity = 1): CartLine {
  let line = cart.lines.find((l) => l.product.id === product.id);
  if (!line) {
    line = { product, quantity: 0 };
    cart.lines.push(line);
  }
  line.quantity = Math.min(LINE_QUANTITY_MAX, line.quantity + quantity);
  return line;
}

export function removeFromCart(cart: Cart, productId: string): CartLine | undefined {
  const line = cart.lines.find((l) => l.product.id === productId);
  cart.lines = cart.lines.filter((l) => l.product.id !== productId);
  return line;
}

export function itemCount(cart: Cart): number {
  return cart.lines.reduce((sum, line) => sum + line.quantity, 0);
}

export function totals(cart: Cart, shippingMethod: 'standard' | 'express' = 'standard'): CartTotals {
  const subtotal = round(cart.lines.reduce((sum, line) => sum + line.product.price * line.quantity, 0));
  const percentOff = cart.coupon ? (COUPONS[cart.coupon]?.percentOff ?? 0) : 0;
  const discount = round((subtotal * percentOff) / 100);
  const afterDiscount = subtotal - discount;
  const shipping = subtotal === 0 ? 0 : shippingMethod === 'express' ? SHIPPING_EXPRESS : afterDiscount >= FREE_SHIPPING_FROM ? 0 : SHIPPING_FLAT;
  const total = round(afterDiscount + shipping);
  const tax = round(total - total / (1 + VAT_RATE));
  return { subtotal, discount, shipping, tax, total };
}

export function saveCart(storage: Pick<Storage, 'setItem'>, cart: Cart): void {
  storage.setItem(CART_STORAGE_KEY, JSON.stringify({ id: cart.id, coupon: cart.coupon, lines: cart.lines.map((l) => [l.product.id, l.quantity]) }));
}

export function loadCart(storage: Pick<Storage, 'getItem'>, newId: () => string): Cart {
  try {
    const saved = JSON.parse(storage.getItem(CART_STORAGE_KEY) ?? 'null') as { id: string; coupon?: string; lines: [string, number][] } | null;
    if (!saved) return emptyCart(newId());
    const lines = saved.lines.flatMap(([id, quantity]) => {
      const product = findProduct(id);
      return product ? [{ product, quantity: Math.min(LINE_QUANTITY_MAX, quantity) }] : [];
    });
    return { id: saved.id, lines, ...(saved.coupon ? { coupon: saved.coupon } : {}) };
  } catch {
    return emptyCart(newId()); // a corrupt saved cart is not worth failing the page for
  }
}

export function formatMoney(amount: number, currency: string): string {
  return new Intl.NumberFormat('en-IE', { style: 'currency', currency }).format(amount);
}

function round(amount: number): number {
  return Math.round(amount * 100) / 100;
}
