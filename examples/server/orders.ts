/**
 * The order service's domain: orders kept in memory (bounded) and the two server-side events
 * they produce. Server-side is where these belong: the browser may never reach the thank-you
 * page, and refunds happen in the back office, not in any browser.
 */
export interface OrderLine {
  readonly product_id: string;
  readonly sku?: string;
  readonly name: string;
  readonly price: number;
  readonly quantity: number;
}

export interface Order {
  readonly orderId: string;
  readonly userId: string;
  readonly email?: string;
  readonly currency: string;
  readonly lines: readonly OrderLine[];
  readonly shipping: number;
  readonly total: number;
  refunded: boolean;
}

/** The analytics calls the service makes: the Node SDK client's `track`. */
export interface OrderEvents {
  track(type: string, properties: Record<string, unknown>, options: { userId: string }): unknown;
}

/** Orders kept for refunds; the oldest is forgotten past it (a real service has a database). */
export const ORDERS_KEPT_MAX = 10_000;

export class OrderError extends Error {
  override readonly name = 'OrderError';
  constructor(
    readonly code: 'ORDER_INVALID' | 'ORDER_NOT_FOUND' | 'ORDER_ALREADY_REFUNDED',
    message: string,
  ) {
    super(message);
  }
}

export function createOrderBook(events: OrderEvents, newOrderId: () => string) {
  const orders = new Map<string, Order>();
  return {
    place(input: { userId: string; email?: string; currency?: string; lines: OrderLine[]; shipping?: number }): Order {
      if (!input.userId || !Array.isArray(input.lines) || input.lines.length === 0) throw new OrderError('ORDER_INVALID', 'An order needs a userId and at least one line.');
      for (const line of input.lines) {
        if (!line.product_id || !(line.price >= 0) || !Number.isInteger(line.quantity) || line.quantity < 1) throw new OrderError('ORDER_INVALID', `Line ${JSON.stringify(line.product_id)} needs a product_id, a price >= 0 and a whole quantity >= 1.`);
      }
      const shipping = input.shipping ?? 0;
      const subtotal = round(input.lines.reduce((sum, line) => sum + line.price * line.quantity, 0));
      const order: Order = { orderId: newOrderId(), userId: input.userId, ...(input.email ? { email: input.email } : {}), currency: input.currency ?? 'EUR', lines: input.lines, shipping, total: round(subtotal + shipping), refunded: false };
      orders.set(order.orderId, order);
      if (orders.size > ORDERS_KEPT_MAX) orders.delete(orders.keys().next().value!);
      events.track(
        'Order Completed',
        { order_id: order.orderId, affiliation: 'order-service', subtotal, shipping, total: order.total, revenue: subtotal, currency: order.currency, products: order.lines, ...(order.email ? { email: order.email } : {}) },
        { userId: order.userId },
      );
      return order;
    },
    refund(orderId: string): Order {
      const order = orders.get(orderId);
      if (!order) throw new OrderError('ORDER_NOT_FOUND', `No order ${orderId}.`);
      if (order.refunded) throw new OrderError('ORDER_ALREADY_REFUNDED', `Order ${orderId} is refunded already.`);
      order.refunded = true;
      events.track('Order Refunded', { order_id: order.orderId, total: order.total, currency: order.currency, products: order.lines }, { userId: order.userId });
      return order;
    },
    get(orderId: string): Order | undefined {
      return orders.get(orderId);
    },
  };
}

function round(amount: number): number {
  return Math.round(amount * 100) / 100;
}
