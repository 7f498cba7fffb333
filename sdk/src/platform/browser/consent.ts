import { IdentityKey } from './identity.js';
import { SPILL_KEY } from './spill.js';
import type { BrowserClient } from './browser-client.js';

/**
 * Consent for `consent: 'required'`: before `grantConsent` nothing is stored (no ids, no queue)
 * and nothing is sent. The decision itself is remembered in first-party storage so the banner
 * need not ask on every page. `revokeConsent` stops the client and deletes the queue and the
 * visitor's ids. A separate module so apps without a consent banner do not ship it.
 */
export function grantConsent(client: BrowserClient): void {
  client.kv.setItem(IdentityKey.consent, 'granted');
  client.setEnabled(true);
}

/** Stops the client, then deletes the queue (retry state included), the spill and the visitor's ids. */
export async function revokeConsent(client: BrowserClient): Promise<void> {
  client.setEnabled(false);
  await (await client.store()).clear();
  for (const key of [...Object.values(IdentityKey), SPILL_KEY]) client.kv.removeItem(key);
}
