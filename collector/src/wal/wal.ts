/**
 * The write-ahead log seam. See ./README.md for the byte format and invariants.
 * A log sequence number (`Lsn`) is the byte offset of a record in the logical log (segments are
 * named by their first Lsn), so it orders records, names lake files and fits a JS number (2^53 B).
 */
export type Lsn = number;

export interface WalRecord {
  readonly lsn: Lsn;
  /** Lsn of the record after this one: where a reader resumes. */
  readonly nextLsn: Lsn;
  readonly data: Uint8Array;
}

export interface Wal {
  /** Appends and resolves once the records are durable (per fsync policy); returns each record's Lsn. */
  append(records: readonly Uint8Array[]): Promise<Lsn[]>;
  /** Records from `from` (inclusive) up to the durable end, at most `countMax`. */
  read(from: Lsn, countMax: number): AsyncIterable<WalRecord>;
  close(): Promise<void>;
}

/**
 * When `append` resolves. `always`: after fdatasync (nothing acknowledged is lost on power
 * failure). `interval`: after write, with an fdatasync every `intervalMs` (a power failure can
 * lose up to `intervalMs` of acknowledged records; a process crash loses nothing).
 */
export type FsyncPolicy = { readonly mode: 'always' } | { readonly mode: 'interval'; readonly intervalMs: number };

/** What open did to the newest segment's tail (README "Recovery on open"). */
export interface RecoveryReport {
  /** Bytes cut from the end of the newest segment (a torn write). */
  readonly truncatedBytes: number;
  /** Partial records in the cut bytes (at least 1 when `truncatedBytes > 0`). */
  readonly truncatedRecords: number;
  /** Corrupt ranges in the newest segment followed by valid records: kept, skipped by readers. */
  readonly skippedCorruptRecords: number;
  /** Set when a cursor stood past the end of the log: appends continue from this Lsn instead. */
  readonly endRaisedTo?: Lsn;
}

/** A range of bytes a reader skipped because no valid record starts there. */
export interface CorruptRange {
  readonly segment: string;
  /** Lsn where the skipped bytes start. */
  readonly lsn: Lsn;
  readonly bytes: number;
  readonly reason: 'bad-magic' | 'bad-length' | 'bad-crc' | 'truncated';
}

/** One fsync of a group, for the server's metrics (`WalFsync` latency histogram). */
export interface FsyncInfo {
  readonly latencyMs: number;
  readonly bytes: number;
  readonly records: number;
}

/** Gauges and counters for metrics and quota checks (`bytesOnDisk` vs the configured quota). */
export interface WalStats {
  readonly bytesOnDisk: number;
  readonly segmentCount: number;
  /** Lsn of the first byte still on disk. */
  readonly oldestLsn: Lsn;
  /**
   * Lsn after the last durable record: the end readers see. In `always` mode also where the next
   * append lands; in `interval` mode acknowledged records become readable at the next fsync.
   */
  readonly endLsn: Lsn;
  readonly appendedRecords: number;
  readonly appendedBytes: number;
  readonly fsyncCount: number;
  readonly lastFsyncLatencyMs: number;
  /** Distinct corrupt ranges readers skipped (each counted and reported once, however many sinks pass it). */
  readonly corruptRecordsSkipped: number;
  /** Bytes waiting in the group-commit queue (bounded by `queueBytesMax`). */
  readonly queuedBytes: number;
}

/**
 * The log's shape at one moment, as the writer hands it to readers in another thread
 * (`openWalFollower`): every segment with its durable size, and the writer's counters.
 */
export interface WalSnapshot {
  readonly segments: readonly { readonly name: string; readonly firstLsn: Lsn; readonly size: number }[];
  readonly stats: WalStats;
}

/** What a release deleted. */
export interface ReleaseResult {
  readonly deletedSegments: number;
  readonly deletedBytes: number;
}

/** The log as the server and the delivery engine use it: the `Wal` seam plus waiting, stats and retention. */
export interface WriteAheadLog extends Wal {
  /** What open repaired; fixed for the life of this handle. */
  readonly recovery: RecoveryReport;
  /**
   * Resolves `true` once the readable (durable) end passes `afterLsn` (at once if it already has), or
   * `false` when `signal` aborts or the log closes: delivery loops wait here instead of polling.
   */
  waitForAppend(afterLsn: Lsn, signal?: AbortSignal): Promise<boolean>;
  stats(): WalStats;
  /** Deletes whole segments lying entirely below `lsn` and older than `retainMs`. */
  releaseBefore(lsn: Lsn): Promise<ReleaseResult>;
  /** `releaseBefore` the minimum `committed` over every registered cursor (`cursorNames`). */
  applyRetention(): Promise<ReleaseResult>;
}
