import type { StoredBatch } from '../../storage/storage.js';
import type { KeyValue } from './key-value.js';

/**
 * Events tracked but not yet committed to IndexedDB when the page goes away. An IndexedDB write
 * is asynchronous and a closing tab aborts it (seen offline, where no beacon carries the events
 * either), so `pagehide` writes those events synchronously to first-party storage; the next
 * start of any tab moves them into the queue. One key for all tabs, merged by event id.
 */
export const SPILL_KEY = 'shopstream.spill';

export function readSpill(kv: KeyValue): StoredBatch[] {
  try {
    return JSON.parse(kv.getItem(SPILL_KEY) ?? '[]') as StoredBatch[];
  } catch {
    return []; // damaged by hand: nothing to restore
  }
}

/** Replaces the spilled records whose id `ids` has (a Set, or the client's Map of uncommitted records) with `add`; removes the key when none remain. */
export function rewriteSpill(kv: KeyValue, ids: { has(id: string): boolean }, add: Iterable<StoredBatch>): void {
  const kept = [...readSpill(kv).filter((stored) => !ids.has(stored.id)), ...add];
  if (kept.length) kv.setItem(SPILL_KEY, JSON.stringify(kept));
  else kv.removeItem(SPILL_KEY);
}
