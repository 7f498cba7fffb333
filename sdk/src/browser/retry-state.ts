import { META_STATE, type IndexedDbQueue, type QueueState } from '../storage/indexeddb.js';

/**
 * Records a failed send in the queue's state (`attempts`, `notBeforeMs`), atomically with the
 * other tabs; `ack` of the next settled batch ends the backoff.
 */
export const writeBackoff = (queue: IndexedDbQueue, attempts: number, notBeforeMs: number): Promise<void> =>
  queue.updateMeta<Partial<QueueState>>(META_STATE, (state) => ({ ...state, attempts, notBeforeMs }));
