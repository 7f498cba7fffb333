import { META_RETRY, type IndexedDbQueue } from '../storage/indexeddb.js';

/**
 * Delivery retry state, kept in IndexedDB beside the queue so a reload does not reset the
 * backoff: otherwise every page view of a shop whose collector is down would hammer it.
 */
export interface RetryState {
  /** Failed sends in a row. */
  readonly attempts: number;
  /** Epoch ms before which no tab sends. */
  readonly notBeforeMs: number;
}

export const readRetryState = (queue: IndexedDbQueue): Promise<RetryState | undefined> => queue.readMeta<RetryState>(META_RETRY);
/** `undefined` clears it (after a 2xx). */
export const writeRetryState = (queue: IndexedDbQueue, state: RetryState | undefined): Promise<void> => queue.updateMeta(META_RETRY, () => state);
