// Compile-time checks, run by ecommerce.test.ts through tsc: every @ts-expect-error below must
// be a real error, or tsc fails with "Unused '@ts-expect-error' directive".
import { createEcommerce, trackEcommerce, type Tracks } from '../helpers.js';

declare const client: Tracks;
const shop = createEcommerce(client);

void shop.productViewed({ product_id: 'sku-1', price: 4.5, currency: 'EUR' });
void shop.orderCompleted({ order_id: 'o-1', total: 12.5, payment_method: 'card', products: [{ product_id: 'sku-1', quantity: 1 }] });
void trackEcommerce(client, 'Products Searched', { query: 'tea' });

// @ts-expect-error misspelled property (prodcut_id)
void shop.productViewed({ prodcut_id: 'sku-1' });
// @ts-expect-error products must be a list of products, not a string
void shop.orderCompleted({ order_id: 'o-1', products: 'sku-1' });
// @ts-expect-error price must be a number
void shop.productAdded({ product_id: 'sku-1', price: '4.50' });
// @ts-expect-error misspelled property inside a product of the list
void shop.cartViewed({ products: [{ product_id: 'sku-1', quantitiy: 2 }] });
// @ts-expect-error not a catalog event name
void trackEcommerce(client, 'Order Complete', { order_id: 'o-1' });
