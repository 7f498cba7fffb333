import type { BrowserClient } from './browser-client.js';

/**
 * Events waiting in the shared IndexedDB queue (all tabs of the origin), once this tab's pending
 * writes are done. Its own export, like `pageCall` and `grantConsent`, so an app that only calls
 * `init` + `track` does not ship it.
 */
export const queuedEvents = async (client: BrowserClient): Promise<number> => (await (await client.store()).snapshot(1))[0].count;
