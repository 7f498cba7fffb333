import { formatMoney, type CartTotals } from '../cart.js';
import { html, type Html } from '../html.js';
import { CURRENCY } from '../products.js';

export interface PlacedOrder {
  readonly orderId: string;
  readonly email: string;
  readonly itemCount: number;
  readonly totals: CartTotals;
}

export function renderConfirmationPage(order: PlacedOrder | undefined): Html {
  if (!order) return html`<h1 class="page-title">No order yet</h1><p class="empty"><a href="#/">Back to the shop</a></p>`;
  return html`<section class="confirm">
    <div class="tick" aria-hidden="true">✓</div>
    <h1>Thank you for your order</h1>
    <p>Order <strong data-order-id>${order.orderId}</strong> · ${order.itemCount} items · ${formatMoney(order.totals.total, CURRENCY)}</p>
    <p class="muted">A confirmation goes to ${order.email}. Watch the <em>Order Completed</em> event land in the panel.</p>
    <a class="btn" href="#/">Keep shopping</a>
  </section>`;
}
