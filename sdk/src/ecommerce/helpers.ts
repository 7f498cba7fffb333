import type { CallOptions } from '../batch/envelope.js';
import { ECOMMERCE_SCHEMA_VERSIONS, type EcommerceEvents } from './catalog-types.js';
import type * as Catalog from './catalog-types.js';

/** The one client method the helpers need, so they work with the Node and the browser client alike. */
export interface Tracks {
  track(type: string, properties?: Record<string, unknown>, options?: CallOptions): Promise<void>;
}

/**
 * Typed Segment E-commerce spec v2 calls, generated from the catalog: a misspelled or mistyped
 * property is a compile error (the catalog, like Segment's spec, requires no property, so a
 * required one would be too, the moment the catalog marks it so), and each event carries `schema: { name, version }` so
 * the collector validates it against the exact catalog version.
 */
export interface Ecommerce {
  productsSearched(properties: Catalog.ProductsSearchedProperties, options?: CallOptions): Promise<void>;
  productListViewed(properties: Catalog.ProductListViewedProperties, options?: CallOptions): Promise<void>;
  productViewed(properties: Catalog.ProductViewedProperties, options?: CallOptions): Promise<void>;
  productAdded(properties: Catalog.ProductAddedProperties, options?: CallOptions): Promise<void>;
  productRemoved(properties: Catalog.ProductRemovedProperties, options?: CallOptions): Promise<void>;
  cartViewed(properties: Catalog.CartViewedProperties, options?: CallOptions): Promise<void>;
  checkoutStarted(properties: Catalog.CheckoutStartedProperties, options?: CallOptions): Promise<void>;
  checkoutStepCompleted(properties: Catalog.CheckoutStepCompletedProperties, options?: CallOptions): Promise<void>;
  paymentInfoEntered(properties: Catalog.PaymentInfoEnteredProperties, options?: CallOptions): Promise<void>;
  couponApplied(properties: Catalog.CouponAppliedProperties, options?: CallOptions): Promise<void>;
  orderCompleted(properties: Catalog.OrderCompletedProperties, options?: CallOptions): Promise<void>;
  orderCancelled(properties: Catalog.OrderCancelledProperties, options?: CallOptions): Promise<void>;
  orderRefunded(properties: Catalog.OrderRefundedProperties, options?: CallOptions): Promise<void>;
  promotionViewed(properties: Catalog.PromotionViewedProperties, options?: CallOptions): Promise<void>;
  promotionClicked(properties: Catalog.PromotionClickedProperties, options?: CallOptions): Promise<void>;
}

/** Any catalog event by name, e.g. `trackEcommerce(client, 'Order Completed', {...})`. */
export function trackEcommerce<K extends keyof EcommerceEvents>(client: Tracks, name: K, properties: EcommerceEvents[K], options?: CallOptions): Promise<void> {
  const schema = { name, version: ECOMMERCE_SCHEMA_VERSIONS[name] };
  return client.track(name, properties as Record<string, unknown>, { ...options, schema });
}

export function createEcommerce(client: Tracks): Ecommerce {
  const as =
    <K extends keyof EcommerceEvents>(name: K) =>
    (properties: EcommerceEvents[K], options?: CallOptions) =>
      trackEcommerce(client, name, properties, options);
  return {
    productsSearched: as('Products Searched'),
    productListViewed: as('Product List Viewed'),
    productViewed: as('Product Viewed'),
    productAdded: as('Product Added'),
    productRemoved: as('Product Removed'),
    cartViewed: as('Cart Viewed'),
    checkoutStarted: as('Checkout Started'),
    checkoutStepCompleted: as('Checkout Step Completed'),
    paymentInfoEntered: as('Payment Info Entered'),
    couponApplied: as('Coupon Applied'),
    orderCompleted: as('Order Completed'),
    orderCancelled: as('Order Cancelled'),
    orderRefunded: as('Order Refunded'),
    promotionViewed: as('Promotion Viewed'),
    promotionClicked: as('Promotion Clicked'),
  };
}
