import { totals, type Cart } from '../cart.js';
import { html, type Html } from '../html.js';
import type { ShippingMethod } from '../tracking-plan.js';
import { renderTotals } from './cart-page.js';

export interface CheckoutState {
  readonly checkoutId: string;
  step: 1 | 2;
  email?: string;
  name?: string;
  shippingMethod: ShippingMethod;
}

export function renderCheckoutPage(cart: Cart, state: CheckoutState): Html {
  const steps = html`<ol class="steps"><li class="${state.step === 1 ? 'active' : 'done'}">Shipping</li><li class="${state.step === 2 ? 'active' : ''}">Payment</li><li>Done</li></ol>`;
  const form =
    state.step === 1
      ? html`<form class="panel" data-action="shipping">
          <h2>Contact &amp; shipping</h2>
          <label>Email <input name="email" type="email" required autocomplete="email" value="${state.email ?? ''}"></label>
          <label>Full name <input name="name" required autocomplete="name" value="${state.name ?? ''}"></label>
          <label>Address <input name="address" required autocomplete="street-address" placeholder="12 Harbour Lane, Cork"></label>
          <fieldset class="choices">
            <legend>Delivery</legend>
            <label><input type="radio" name="shipping" value="standard" ${state.shippingMethod === 'standard' ? 'checked' : ''}> Standard · 2–3 days</label>
            <label><input type="radio" name="shipping" value="express" ${state.shippingMethod === 'express' ? 'checked' : ''}> Express · next day</label>
          </fieldset>
          <button class="btn wide" type="submit">Continue to payment</button>
        </form>`
      : html`<form class="panel" data-action="payment">
          <h2>Payment</h2>
          <fieldset class="choices">
            <legend>Method</legend>
            <label><input type="radio" name="payment" value="card" checked> Card</label>
            <label><input type="radio" name="payment" value="paypal"> PayPal</label>
            <label><input type="radio" name="payment" value="invoice"> Invoice</label>
          </fieldset>
          <label>Card number <input name="card" inputmode="numeric" placeholder="4242 4242 4242 4242" value="4242 4242 4242 4242"></label>
          <p class="muted">Demo shop: nothing is charged and the card number is never sent.</p>
          <button class="btn wide" type="submit" data-action-button="place-order">Place order</button>
        </form>`;
  return html`<h1 class="page-title">Checkout</h1>${steps}<div class="two-col">${form}<aside class="summary">${renderTotals(totals(cart, state.shippingMethod))}</aside></div>`;
}
