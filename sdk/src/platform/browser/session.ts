import { IdentityKey } from './identity.js';
import type { KeyValue } from './key-value.js';

/** Writing the last-activity time at most this often keeps `track()` from touching storage per call. */
const SESSION_TOUCH_EVERY_MS = 1_000;

/**
 * Session id with an inactivity timeout (Google Analytics and Segment use 30 minutes): a new id
 * once `timeoutMs` passed since the last event, shared by the tabs through first-party storage.
 * Stored as `<id>|<lastActivityMs>`.
 */
export function touchSession(kv: KeyValue, nowMs: number, timeoutMs: number, uuid: () => string): string {
  const [storedId, lastText] = (kv.getItem(IdentityKey.session) ?? '').split('|');
  const lastMs = Number(lastText);
  const alive = storedId && nowMs - lastMs < timeoutMs; // false for a damaged time (NaN)
  const id = alive ? storedId : uuid();
  if (!alive || nowMs - lastMs >= SESSION_TOUCH_EVERY_MS) kv.setItem(IdentityKey.session, `${id}|${nowMs}`);
  return id;
}
