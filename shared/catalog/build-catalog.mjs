#!/usr/bin/env node
// Writes the event catalog (one JSON Schema per event and version, plus index.json) from the
// definitions below, so the shared parts (product, context) are written once. Run after an edit:
//   node shared/catalog/build-catalog.mjs
// Names and properties follow Segment's E-commerce spec v2, which marks no property required, so
// neither does the catalog (a shop moving from Segment must not see its events refused): the
// schemas check types and formats. `x-pii` marks what the collector's
// PII stage must hash (keyed HMAC), encrypt (AES-GCM, key id kept) or drop before the lake.
import { readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const str = { type: 'string' };
const num = { type: 'number' };
const int = { type: 'integer', minimum: 0 };
const currency = { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' };

const product = {
  type: 'object',
  properties: {
    product_id: str, sku: str, category: str, name: str, brand: str, variant: str,
    price: num, quantity: int, coupon: str, position: int, url: str, image_url: str,
  },
};
const products = { type: 'array', maxItems: 1000, items: product };
const cart = { cart_id: str };
const order = {
  checkout_id: str, order_id: str, affiliation: str, subtotal: num, total: num, revenue: num,
  shipping: num, tax: num, discount: num, coupon: str, currency, products,
  // Not in Segment's spec, but shops often send it for receipts: pseudonymised before the lake.
  email: { type: 'string', 'x-pii': 'hash' },
};
const promotion = { promotion_id: str, creative: str, name: str, position: str };
const address = {
  type: 'object', 'x-pii': 'encrypt',
  properties: { street: str, city: str, state: str, postalCode: str, country: str },
};

/** `context` as Segment sends it; the IP and any traits copied into it are personal data. */
const context = {
  type: 'object',
  properties: {
    ip: { type: 'string', 'x-pii': 'hash' },
    traits: {
      type: 'object',
      properties: { email: { type: 'string', 'x-pii': 'hash' }, phone: { type: 'string', 'x-pii': 'hash' } },
    },
  },
};

const traits = {
  type: 'object',
  properties: {
    email: { type: 'string', format: 'email', 'x-pii': 'hash' },
    phone: { type: 'string', 'x-pii': 'hash' },
    firstName: { type: 'string', 'x-pii': 'encrypt' },
    lastName: { type: 'string', 'x-pii': 'encrypt' },
    name: { type: 'string', 'x-pii': 'encrypt' },
    address,
    birthday: { type: 'string', 'x-pii': 'drop' },
    username: str, createdAt: str, plan: str,
  },
};

/** [name, kind, version, property schemas, required properties (none, as in Segment's spec), description] */
const events = [
  ['Products Searched', 'track', '1.0.0', { query: str }, [], 'User searched for products'],
  ['Product List Viewed', 'track', '1.0.0', { list_id: str, category: str, products }, [], 'User viewed a product list or category'],
  ['Product Viewed', 'track', '1.0.0', { ...product.properties, currency }, [], 'User viewed a product detail page'],
  ['Product Added', 'track', '1.0.0', { ...cart, ...product.properties, currency }, [], 'User added a product to the cart'],
  ['Product Removed', 'track', '1.0.0', { ...cart, ...product.properties, currency }, [], 'User removed a product from the cart'],
  ['Cart Viewed', 'track', '1.0.0', { ...cart, products }, [], 'User viewed the cart'],
  ['Checkout Started', 'track', '1.0.0', { ...order, value: num }, [], 'User started the checkout'],
  ['Checkout Step Completed', 'track', '1.0.0', { checkout_id: str, step: { type: 'integer', minimum: 1 }, shipping_method: str, payment_method: str }, [], 'User completed a checkout step'],
  ['Payment Info Entered', 'track', '1.0.0', { checkout_id: str, order_id: str, step: { type: 'integer', minimum: 1 }, shipping_method: str, payment_method: str }, [], 'User entered payment information'],
  ['Order Completed', 'track', '1.0.0', order, [], 'User completed an order'],
  ['Order Completed', 'track', '1.1.0', { ...order, payment_method: str, shipping_method: str }, [], 'User completed an order; 1.1 adds payment and shipping method'],
  ['Order Refunded', 'track', '1.0.0', { order_id: str, total: num, currency, products }, [], 'An order was refunded, fully or in part'],
  ['Order Cancelled', 'track', '1.0.0', order, [], 'An order was cancelled'],
  ['Coupon Applied', 'track', '1.0.0', { order_id: str, cart_id: str, coupon_id: str, coupon_name: str, discount: num }, [], 'A coupon was applied to a cart or order'],
  ['Promotion Viewed', 'track', '1.0.0', promotion, [], 'User viewed a promotion'],
  ['Promotion Clicked', 'track', '1.0.0', promotion, [], 'User clicked a promotion'],
  ['Page Viewed', 'page', '1.0.0', { name: str, category: str, path: str, referrer: str, search: str, title: str, url: str }, [], 'A page call'],
  ['Identify', 'identify', '1.0.0', null, [], 'An identify call: who the user is'],
];

export const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

function schemaFor([name, kind, version, props, required, description]) {
  const body = props === null
    ? { traits }
    : { properties: { type: 'object', properties: props, ...(required.length ? { required } : {}) } };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `urn:shopstream:catalog:${slug(name)}@${version}`,
    title: name,
    description,
    'x-event': { name, kind, version },
    type: 'object',
    required: ['id', 'type', 'timestamp', ...(props !== null && required.length ? ['properties'] : [])],
    properties: {
      id: { type: 'string', minLength: 1, maxLength: 200 },
      type: { const: name },
      kind: { const: kind },
      timestamp: { type: 'string', format: 'date-time' },
      userId: { type: 'string', maxLength: 200 },
      anonymousId: { type: 'string', maxLength: 200 },
      context,
      ...body,
    },
  };
}

for (const file of readdirSync(here)) if (/@\d+\.\d+\.\d+\.json$/.test(file)) unlinkSync(join(here, file));
const index = { description: 'Shopstream event catalog: one JSON Schema per event and version (Segment E-commerce spec v2 names).', schemas: [] };
for (const event of events) {
  const [name, kind, version] = event;
  const file = `${slug(name)}@${version}.json`;
  writeFileSync(join(here, file), `${JSON.stringify(schemaFor(event), null, 2)}\n`);
  index.schemas.push({ name, kind, version, file });
}
writeFileSync(join(here, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
console.log(`wrote ${index.schemas.length} schemas and index.json`);
