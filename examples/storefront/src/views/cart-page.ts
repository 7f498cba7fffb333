import { formatMoney, totals, type Cart, type CartTotals } from '../cart.js';
import { html, type Html } from '../html.js';
import { CURRENCY } from '../products.js';
import { productArt } from './product-art.js';

export function renderTotals(sums: CartTotals): Html {
  const money = (amount: number) => formatMoney(amount, CURRENCY);
  return html`<dl class="totals">
    <dt>Subtotal</dt><dd>${money(sums.subtotal)}</dd>
    ${sums.discount > 0 ? html`<dt>Discount</dt><dd class="discount">−${money(sums.discount)}</dd>` : ''}
    <dt>Shipping</dt><dd>${sums.shipping === 0 ? 'Free' : money(sums.shipping)}</dd>
    <dt class="total">Total</dt><dd class="total">${money(sums.total)}</dd>
    <dt class="muted">incl. VAT</dt><dd class="muted">${money(sums.tax)}</dd>
  </dl>`;
}

export function renderCartPage(cart: Cart, couponMessage?: { ok: boolean; text: string }): Html {
  if (cart.lines.length === 0) {
    return html`<h1 class="page-title">Your cart</h1><p class="empty">Your cart is empty. <a href="#/">Browse the teas</a>.</p>`;
  }
  return html`
    <h1 class="page-title">Your cart</h1>
    <div class="two-col">
      <ul class="lines">
        ${cart.lines.map(
          (line) => html`<li class="line">
            ${productArt(line.product)}
            <div><a href="#/product/${line.product.id}">${line.product.name}</a><span class="muted">${line.quantity} × ${formatMoney(line.product.price, CURRENCY)}</span></div>
            <strong>${formatMoney(line.product.price * line.quantity, CURRENCY)}</strong>
            <button class="link" data-action="remove" data-product="${line.product.id}" aria-label="Remove ${line.product.name}">Remove</button>
          </li>`,
        )}
      </ul>
      <aside class="summary">
        <form class="coupon" data-action="coupon">
          <input name="code" placeholder="Coupon code" value="${cart.coupon ?? ''}" aria-label="Coupon code">
          <button class="btn ghost" type="submit">Apply</button>
        </form>
        ${couponMessage ? html`<p class="${couponMessage.ok ? 'ok' : 'error'}">${couponMessage.text}</p>` : ''}
        ${renderTotals(totals(cart))}
        <a class="btn wide" href="#/checkout" data-action="checkout">Checkout</a>
      </aside>
    </div>`;
}
