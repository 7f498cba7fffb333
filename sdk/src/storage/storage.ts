/**
 * Where batches wait until the collector acknowledges them. `append` must be durable when it
 * resolves (as durable as the platform allows: IndexedDB commit, or fsync per policy in Node);
 * a batch leaves storage only through `ack`, after a 2xx, so a crash or a closed tab loses
 * nothing and at worst resends (the event ids make a resend harmless).
 */
export interface StoredBatch {
  /** Unique per batch; stable across restarts. */
  readonly id: string;
  /** Events in the batch, as envelopes (JSON-safe values). */
  readonly events: readonly import('@shopstream/shared').EventEnvelope[];
  /** Encoded size estimate in bytes, for the storage's byte limit. */
  readonly bytes: number;
  /** Attempts so far and when the next may start (epoch ms): retry state survives restarts. */
  readonly attempts?: number;
  readonly notBeforeMs?: number;
}

export interface Storage {
  append(items: readonly StoredBatch[]): Promise<void>;
  /** The oldest `countMax` batches not yet acknowledged, oldest first. */
  peek(countMax: number): Promise<StoredBatch[]>;
  /** Removes batches for good (delivered, or dropped as undeliverable). Unknown ids are ignored. */
  ack(ids: readonly string[]): Promise<void>;
  /**
   * True when stored batches live in process memory (MemoryStorage): the client then counts
   * them against `bufferedBytesMax`. Durable storages leave it unset.
   */
  readonly inMemory?: boolean;
  /** Events stored and not yet acknowledged, for the `SDK_UNAUTHORIZED` and `SDK_UNDELIVERED` reports. */
  queuedEvents?(): number;
  /** Events the storage itself dropped to stay within its byte limit (drop-oldest), for `stats()`. */
  droppedEvents?(): number;
  /** Makes every appended batch durable now (fsync policy `interval`); used by `flushToStorage()`. */
  sync?(): Promise<void>;
  /** Releases files or handles; called by the client's `close()`. */
  close?(): Promise<void>;
}
