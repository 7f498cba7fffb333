import { IDENTITY_KEYS } from './identity.js';
import type { KeyValue } from './key-value.js';

/** Writing the last-activity time at most this often keeps `track()` from touching storage per call. */
const SESSION_TOUCH_EVERY_MS = 1_000;

/**
 * Session id with an inactivity timeout (Google Analytics and Segment use 30 minutes): a new id
 * once `timeoutMs` passed since the last event, shared by the tabs through first-party storage.
 * Stored as `<id>|<lastActivityMs>`.
 */
export function touchSession(kv: KeyValue, nowMs: number, timeoutMs: number, uuid: () => string): string {
  const [storedId, lastText] = (kv.getItem(IDENTITY_KEYS.session) ?? '').split('|');
  const lastMs = Number(lastText);
  const alive = storedId && Number.isFinite(lastMs) && nowMs - lastMs < timeoutMs;
  const id = alive ? storedId : uuid();
  if (!alive || nowMs - lastMs >= SESSION_TOUCH_EVERY_MS) kv.setItem(IDENTITY_KEYS.session, `${id}|${nowMs}`);
  return id;
}
