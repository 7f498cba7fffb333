import type { BrowserClient } from './browser-client.js';
import { IdentityKey } from './identity.js';

/** `page()`: a page view, named or not, as in Segment's spec. */
export function pageCall(client: BrowserClient, name?: string, properties?: Record<string, unknown>): string | undefined {
  return client.record('page', name ?? 'Page Viewed', { properties: { ...properties, ...(name ? { name } : undefined) } });
}

/** `identify()`: ties the visitor to a user id, kept for every later event (and page). */
export function identifyCall(client: BrowserClient, userId: string, traits?: Record<string, unknown>): string | undefined {
  const id = client.record('identify', 'Identify', traits ? { userId, traits } : { userId });
  if (id !== undefined) client.kv.setItem(IdentityKey.userId, userId);
  return id;
}
