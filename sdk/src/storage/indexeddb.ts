/**
 * The browser's durable queue: IndexedDB database `shopstream`, object store `queue`
 * (idb-keyval's `createStore`), shared by every tab of the shop's origin, so it survives
 * reloads, crashes and browser restarts.
 *
 * Keys in the one object store:
 *   <UUIDv7>     a StoredBatch (the browser stores one tracked event per record); UUIDv7 keys
 *                sort by creation time, so key order is age order
 *   "~usage"     { count, bytes, dropped } of the queue records, and the events dropped because
 *                the queue was full, not yet reported to the collector (one record: one read)
 *   "~retry"     retry state { attempts, notBeforeMs, offline } that survives reloads
 *   "~lease"     flush lease { owner, expiresMs } for browsers without Web Locks
 * "~" sorts after every hex digit, so the key range below "~" holds queue records only.
 *
 * Invariants: `~usage` is changed in the same transaction as the records it counts (an append
 * skips ids already queued, so a record is never counted twice); after an
 * append the queue is within `countMax` and `bytesMax`, the oldest records having been deleted
 * and added to `~usage.dropped` in that same transaction (loss is counted, never silent); a record
 * leaves the queue only through `ack` (after a 2xx) or `clear` (consent revoked).
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import type { Storage, StoredBatch } from './storage.js';

export const META_USAGE = '~usage';
export const META_RETRY = '~retry';
export const META_LEASE = '~lease';

export interface IndexedDbQueueLimits {
  /** Records (events) the queue holds at most; past it the oldest are dropped and counted. */
  readonly countMax: number;
  /** Sum of the records' estimated bytes the queue holds at most. */
  readonly bytesMax: number;
}

export interface QueueUsage {
  readonly count: number;
  readonly bytes: number;
  /** Events dropped for lack of room and not yet reported. */
  readonly dropped: number;
}

/** `Storage` plus what the browser client needs beside it: the dropped counter and a reset. */
export interface IndexedDbQueue extends Omit<Storage, 'append'> {
  /** `Storage.append`, resolving with the queue's usage after it (one transaction, no second read). */
  append(items: readonly StoredBatch[]): Promise<QueueUsage>;
  /** Reads a meta record (`~retry`, `~lease`). */
  readMeta<T>(key: string): Promise<T | undefined>;
  /** Replaces a meta record in one readwrite transaction (atomic across tabs); `undefined` deletes it. */
  updateMeta<T>(key: string, next: (value: T | undefined) => T | undefined): Promise<void>;
  usage(): Promise<QueueUsage>;
  /**
   * Removes acknowledged records and, in the same transaction, adds `droppedDelta` to the dropped
   * counter: negative once a batch that reported it got a 2xx (more may have been dropped since),
   * positive for a batch the collector refused for good.
   */
  ack(ids: readonly string[], droppedDelta?: number): Promise<void>;
  /** Deletes every record and meta value (consent revoked). */
  clear(): Promise<void>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const queueRange = (): IDBKeyRange => IDBKeyRange.upperBound('~', true);

export function createIndexedDbQueue(limits: IndexedDbQueueLimits, store: UseStore = createStore('shopstream', 'queue')): IndexedDbQueue {
  const get = <T>(s: IDBObjectStore, key: string) => promisifyRequest(s.get(key)) as Promise<T | undefined>;
  const usageIn = async (s: IDBObjectStore): Promise<Mutable<QueueUsage>> => ({ count: 0, bytes: 0, dropped: 0, ...(await get<QueueUsage>(s, META_USAGE)) });
  /** One readwrite transaction; resolves with `fn`'s result once it committed. */
  const write = <T>(fn: (s: IDBObjectStore) => Promise<T> | T): Promise<T> =>
    store('readwrite', async (s) => {
      const done = promisifyRequest(s.transaction);
      const result = await fn(s);
      await done;
      return result;
    });
  return {
    readMeta: (key) => store('readonly', (s) => get(s, key)),
    updateMeta: (key, next) =>
      write(async (s) => {
        const value = next(await get(s, key));
        if (value === undefined) s.delete(key);
        else s.put(value, key);
      }),
    append: (items) =>
      write(async (s) => {
        const usage = await usageIn(s);
        // A record may already be here: restored from a spill that its own tab also committed.
        const held = await Promise.all(items.map((item) => get(s, item.id)));
        for (const [i, item] of items.entries()) {
          if (held[i]) continue;
          s.put(item, item.id);
          usage.count += 1;
          usage.bytes += item.bytes;
        }
        const within = () => usage.count <= limits.countMax && usage.bytes <= limits.bytesMax;
        // Oldest first: the newest events describe what the shopper is doing now. The cursor is
        // continued from a microtask of its success event, while the transaction is still active.
        if (!within()) {
          const cursor = s.openCursor(queueRange());
          for (let at = await promisifyRequest(cursor); at && !within(); at = await promisifyRequest(cursor)) {
            const batch = at.value as StoredBatch;
            usage.count -= 1;
            usage.bytes -= batch.bytes;
            usage.dropped += batch.events.length;
            at.delete();
            at.continue();
          }
        }
        s.put(usage, META_USAGE);
        return usage;
      }),
    peek: (countMax) => store('readonly', (s) => promisifyRequest(s.getAll(queueRange(), countMax))),
    ack: (ids, droppedDelta = 0) =>
      write(async (s) => {
        const usage = await usageIn(s);
        for (const batch of await Promise.all(ids.map((id) => get<StoredBatch>(s, id)))) {
          if (!batch) continue; // acknowledged by another tab, or dropped meanwhile
          usage.count -= 1;
          usage.bytes -= batch.bytes;
          s.delete(batch.id);
        }
        usage.dropped = Math.max(0, usage.dropped + droppedDelta);
        s.put(usage, META_USAGE);
      }),
    usage: () => store('readonly', usageIn),
    clear: () => write((s) => void s.clear()),
  };
}
