import { describe, expect, it } from 'vitest';
import { addToCart, emptyCart, itemCount, LINE_QUANTITY_MAX, loadCart, removeFromCart, saveCart, totals } from '../cart.js';
import { findProduct } from '../products.js';

const sencha = findProduct('p-sencha')!; // 12.50
const kettle = findProduct('p-kettle')!; // 49.00

function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value), items };
}

describe('cart', () => {
  it('adds, merges lines, caps quantity and removes', () => {
    const cart = emptyCart('c1');
    addToCart(cart, sencha, 2);
    addToCart(cart, sencha, 1);
    addToCart(cart, kettle);
    expect(cart.lines.map((l) => [l.product.id, l.quantity])).toEqual([['p-sencha', 3], ['p-kettle', 1]]);
    addToCart(cart, kettle, 1000);
    expect(cart.lines[1]!.quantity).toBe(LINE_QUANTITY_MAX);
    expect(removeFromCart(cart, 'p-kettle')?.quantity).toBe(LINE_QUANTITY_MAX);
    expect(removeFromCart(cart, 'p-kettle')).toBeUndefined();
    expect(itemCount(cart)).toBe(3);
  });

  it('totals: flat shipping under the free threshold, coupon discount, express, VAT share', () => {
    const cart = emptyCart('c1');
    addToCart(cart, sencha, 2);
    expect(totals(cart)).toEqual({ subtotal: 25, discount: 0, shipping: 4.9, tax: 4.77, total: 29.9 });
    cart.coupon = 'AUTUMN10';
    expect(totals(cart)).toMatchObject({ subtotal: 25, discount: 2.5, shipping: 4.9, total: 27.4 });
    addToCart(cart, kettle);
    expect(totals(cart)).toMatchObject({ subtotal: 74, discount: 7.4, shipping: 0, total: 66.6 });
    expect(totals(cart, 'express')).toMatchObject({ shipping: 9.9, total: 76.5 });
    expect(totals(emptyCart('c2'))).toEqual({ subtotal: 0, discount: 0, shipping: 0, tax: 0, total: 0 });
  });

  it('survives a save/load round trip and a corrupt saved cart', () => {
    const storage = memoryStorage();
    const cart = emptyCart('c9');
    addToCart(cart, kettle, 2);
    cart.coupon = 'STEEP20';
    saveCart(storage, cart);
    const loaded = loadCart(storage, () => 'fresh');
    expect(loaded.id).toBe('c9');
    expect(loaded.coupon).toBe('STEEP20');
    expect(loaded.lines.map((l) => [l.product.name, l.quantity])).toEqual([['Gooseneck Kettle', 2]]);
    storage.setItem('shopstream-demo-cart', '{not json');
    expect(loadCart(storage, () => 'fresh')).toEqual({ id: 'fresh', lines: [] });
  });
});
