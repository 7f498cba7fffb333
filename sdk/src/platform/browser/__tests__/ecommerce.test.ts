import { describe, expect, it } from 'vitest';
import type { BrowserClient } from '../browser-client.js';
import { ECOMMERCE_SCHEMA_VERSIONS } from '../../../ecommerce/catalog-types.js';
import { createEcommerce, trackEcommerce } from '../ecommerce.js';

describe('@shopstream/sdk/browser/ecommerce', () => {
  it('records catalog events on the browser client with their schema name and version', async () => {
    const calls: unknown[][] = [];
    const client = { record: (...args: unknown[]) => (calls.push(args), 'id') } as unknown as BrowserClient;
    await createEcommerce(client).productViewed({ product_id: 'tea-1', price: 4.5 });
    await trackEcommerce('Order Completed', { order_id: 'o-1', total: 12.5 }, client);
    expect(calls).toEqual([
      ['track', 'Product Viewed', { properties: { product_id: 'tea-1', price: 4.5 }, schema: { name: 'Product Viewed', version: ECOMMERCE_SCHEMA_VERSIONS['Product Viewed'] } }],
      ['track', 'Order Completed', { properties: { order_id: 'o-1', total: 12.5 }, schema: { name: 'Order Completed', version: ECOMMERCE_SCHEMA_VERSIONS['Order Completed'] } }],
    ]);
  });

  it('before init, calls on the page client do nothing', async () => {
    await expect(createEcommerce().cartViewed({ cart_id: 'c-1' })).resolves.toBeUndefined();
  });
});
