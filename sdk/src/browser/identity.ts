import type { KeyValue } from './key-value.js';

/** Keys the browser SDK keeps in first-party storage; `revokeConsent` removes exactly these (and the spill). */
export const IDENTITY_KEYS = {
  anonymousId: 'shopstream.anonymousId',
  userId: 'shopstream.userId',
  session: 'shopstream.session',
  consent: 'shopstream.consent',
} as const;

/** The visitor's anonymous id: made once, then read back on every visit. */
export function anonymousId(kv: KeyValue, uuid: () => string): string {
  let id = kv.getItem(IDENTITY_KEYS.anonymousId);
  if (!id) {
    id = uuid();
    kv.setItem(IDENTITY_KEYS.anonymousId, id);
  }
  return id;
}
