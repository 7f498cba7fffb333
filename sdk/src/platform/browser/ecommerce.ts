// @shopstream/sdk/browser/ecommerce: the typed e-commerce helpers (generated from shared/catalog)
// for the browser client. Its own entry point, so an app that calls only `track` ships none of
// it (checked by platform/browser/__tests__/bundle.test.ts and bench/size.ts).
import type { BrowserClient } from './browser-client.js';
import { getClient } from './default-client.js';
import { createEcommerce as createWith, trackEcommerce as trackWith, type Ecommerce, type Tracks } from '../../ecommerce/helpers.js';
import type { EcommerceEvents } from '../../ecommerce/catalog-types.js';

export type { Ecommerce, EcommerceEvents, Tracks };

/**
 * The browser client as the helpers' `Tracks`. The event carries the catalog `schema` the helper
 * sets; the other call options (ids, context, timestamp) are the Node client's: in the browser
 * the client itself knows the visitor, session and page, so they are not taken. Without a
 * client, the page's client (`init`) at the time of each call; before `init`, calls do nothing.
 */
export function browserTracks(client?: BrowserClient): Tracks {
  return {
    track: async (type, properties, options) => void (client ?? getClient())?.record('track', type, { properties, schema: options?.schema }),
  };
}

/** `createEcommerce().productViewed({ product_id: 'tea-1', price: 4.5 })`: a misspelled property is a compile error. */
export const createEcommerce = (client?: BrowserClient): Ecommerce => createWith(browserTracks(client));

/** Any catalog event by name, e.g. `trackEcommerce('Order Completed', { order_id: 'o-1' })`. */
export const trackEcommerce = <K extends keyof EcommerceEvents>(name: K, properties: EcommerceEvents[K], client?: BrowserClient): Promise<void> =>
  trackWith(browserTracks(client), name, properties);
