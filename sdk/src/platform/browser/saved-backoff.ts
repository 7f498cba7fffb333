import { META_STATE, type IndexedDbQueue, type QueueState } from '../../storage/indexeddb.js';

/**
 * The browser's saved backoff: a failed send's `attempts` and `notBeforeMs` live in the
 * IndexedDB queue's state record, written atomically with the other tabs, so a reload or
 * another tab does not retry early; `ack` of the next settled batch ends the backoff. (Node
 * keeps its wait in memory: a restarted process may try at once.)
 */
export const writeBackoff = (queue: IndexedDbQueue, attempts: number, notBeforeMs: number): Promise<void> =>
  queue.updateMeta<Partial<QueueState>>(META_STATE, (state) => ({ ...state, attempts, notBeforeMs }));
