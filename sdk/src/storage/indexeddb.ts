/**
 * The browser's durable queue: IndexedDB database `shopstream`, object store `queue`
 * (idb-keyval's `createStore`), shared by every tab of the shop's origin, so it survives
 * reloads, crashes and browser restarts.
 *
 * Keys in the one object store:
 *   <UUIDv7>     a StoredBatch (the browser stores one tracked event per record); UUIDv7 keys
 *                sort by creation time, so key order is age order
 *   "~state"     QueueState { count, bytes, dropped, attempts, notBeforeMs }: the records' count
 *                and bytes, the events dropped because the queue was full and not yet reported,
 *                and the retry state, which survives reloads (one record: one read per batch)
 *   "~lease"     flush lease { owner, expiresMs } for browsers without Web Locks
 * "~" sorts after every hex digit, so the key range below "~" holds queue records only.
 *
 * Invariants: `~state` is changed in the same transaction as the records it counts (an append
 * skips ids already queued, so a record is never counted twice); after an
 * append the queue is within `countMax` and `bytesMax`, the oldest records having been deleted
 * and added to `~state.dropped` in that same transaction (loss is counted, never silent); a record
 * leaves the queue only through `ack` (after a 2xx or a final refusal, which also ends the
 * backoff) or `clear` (consent revoked).
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import type { Storage, StoredBatch } from './storage.js';

export const META_STATE = '~state';
export const META_LEASE = '~lease';

export interface IndexedDbQueueLimits {
  /** Records (events) the queue holds at most; past it the oldest are dropped and counted. */
  readonly countMax: number;
  /** Sum of the records' estimated bytes the queue holds at most. */
  readonly bytesMax: number;
}

/** The queue's bookkeeping, kept in one record (`~state`) so delivery reads it once per batch. */
export interface QueueState {
  /** Records in the queue. */
  readonly count: number;
  /** Sum of the records' estimated bytes. */
  readonly bytes: number;
  /** Events dropped for lack of room and not yet reported. */
  readonly dropped: number;
  /**
   * Failed sends in a row since the last settled batch. Kept beside the queue so a reload does
   * not reset the backoff: otherwise every page view of a shop whose collector is down would hammer it.
   */
  readonly attempts: number;
  /** Epoch ms before which no tab sends. */
  readonly notBeforeMs: number;
}

/**
 * `Storage` plus what the browser client needs beside it: the dropped counter and a reset. No
 * `peek` and no separate state read: `snapshot` serves both (every method here ships in every
 * shop's bundle).
 */
export interface IndexedDbQueue extends Omit<Storage, 'append' | 'peek'> {
  /** `Storage.append`, resolving with the queue's state after it (one transaction, no second read). */
  append(items: readonly StoredBatch[]): Promise<QueueState>;
  /** Replaces a meta record (`~state`, `~lease`) in one readwrite transaction (atomic across tabs); `undefined` deletes it. */
  updateMeta<T>(key: string, next: (value: T | undefined) => T | undefined): Promise<void>;
  /**
   * The state and the oldest `countMax` (at least 1) records, read in ONE transaction: the dropped count then
   * matches the records (read apart, an append that drops could land between the two reads and
   * its count would miss the batch that follows it).
   */
  snapshot(countMax: number): Promise<[QueueState, StoredBatch[]]>;
  /**
   * Removes the records of a settled batch and, in the same transaction, ends the backoff and
   * adds `droppedDelta` to the dropped counter: negative once a batch that reported it got a 2xx
   * (more may have been dropped since), positive for a batch the collector refused for good.
   */
  ack(ids: readonly string[], droppedDelta?: number): Promise<void>;
  /** Deletes every record and meta value (consent revoked). */
  clear(): Promise<void>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const queueRange = (): IDBKeyRange => IDBKeyRange.upperBound('~', true);

export function createIndexedDbQueue(limits: IndexedDbQueueLimits, store: UseStore = createStore('shopstream', 'queue')): IndexedDbQueue {
  const get = <T>(s: IDBObjectStore, key: string) => promisifyRequest(s.get(key)) as Promise<T | undefined>;
  const stateIn = async (s: IDBObjectStore): Promise<Mutable<QueueState>> => ({
    count: 0,
    bytes: 0,
    dropped: 0,
    attempts: 0,
    notBeforeMs: 0,
    ...(await get<Partial<QueueState>>(s, META_STATE)),
  });
  /** One readwrite transaction; resolves with `fn`'s result once it committed. */
  const write = <T>(fn: (s: IDBObjectStore) => Promise<T> | T): Promise<T> =>
    store('readwrite', async (s) => {
      const done = promisifyRequest(s.transaction);
      const result = await fn(s);
      await done;
      return result;
    });
  return {
    updateMeta: (key, next) =>
      write(async (s) => {
        const value = next(await get(s, key));
        if (value === undefined) s.delete(key);
        else s.put(value, key);
      }),
    append: (items) =>
      write(async (s) => {
        const state = await stateIn(s);
        // A record may already be here: restored from a spill that its own tab also committed.
        const held = await Promise.all(items.map((item) => get(s, item.id)));
        for (const [i, item] of items.entries()) {
          if (held[i]) continue;
          s.put(item, item.id);
          state.count += 1;
          state.bytes += item.bytes;
        }
        const within = () => state.count <= limits.countMax && state.bytes <= limits.bytesMax;
        // Oldest first: the newest events describe what the shopper is doing now. The cursor is
        // continued from a microtask of its success event, while the transaction is still active.
        if (!within()) {
          const cursor = s.openCursor(queueRange());
          for (let at = await promisifyRequest(cursor); at && !within(); at = await promisifyRequest(cursor)) {
            const batch = at.value as StoredBatch;
            state.count -= 1;
            state.bytes -= batch.bytes;
            state.dropped += batch.events.length;
            at.delete();
            at.continue();
          }
        }
        s.put(state, META_STATE);
        return state;
      }),
    ack: (ids, droppedDelta = 0) =>
      write(async (s) => {
        const state = await stateIn(s);
        for (const batch of await Promise.all(ids.map((id) => get<StoredBatch>(s, id)))) {
          if (!batch) continue; // acknowledged by another tab, or dropped meanwhile
          state.count -= 1;
          state.bytes -= batch.bytes;
          s.delete(batch.id);
        }
        state.dropped = Math.max(0, state.dropped + droppedDelta);
        state.attempts = state.notBeforeMs = 0;
        s.put(state, META_STATE);
      }),
    snapshot: (countMax) => store('readonly', (s) => Promise.all([stateIn(s), promisifyRequest(s.getAll(queueRange(), countMax))])),
    clear: () => write((s) => void s.clear()),
  };
}
