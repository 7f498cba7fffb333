import type { KeyValue } from './key-value.js';

/**
 * Keys the browser SDK keeps in first-party storage; `revokeConsent` removes exactly these (and
 * the spill). An enum so bundlers inline each key where it is used and ship no object.
 */
export enum IdentityKey {
  anonymousId = 'shopstream.anonymousId',
  userId = 'shopstream.userId',
  session = 'shopstream.session',
  consent = 'shopstream.consent',
}

/** The visitor's anonymous id: made once, then read back on every visit. */
export function anonymousId(kv: KeyValue, uuid: () => string): string {
  let id = kv.getItem(IdentityKey.anonymousId);
  if (!id) {
    id = uuid();
    kv.setItem(IdentityKey.anonymousId, id);
  }
  return id;
}
