import { WalError } from './errors.js';
import { RECORD_HEADER_BYTES } from './record-format.js';
import { nodeWalFs, type WalFs } from './wal-fs.js';
import type { CorruptRange, FsyncInfo, FsyncPolicy } from './wal.js';

const MIB = 1024 * 1024;

/** Options of `openWal`; every limit has its unit in its name (README "Files" and "Invariants"). */
export interface WalOptions {
  readonly dir: string;
  /** A new segment starts before a record would push the current one past this. Default 64 MiB. */
  readonly segmentBytesMax?: number;
  /** Largest payload of one record. Default min(16 MiB, segmentBytesMax - 12). */
  readonly recordBytesMax?: number;
  /** Most bytes one group commit writes at once (always at least one append). Default 8 MiB. */
  readonly groupBytesMax?: number;
  /**
   * `always` mode: how many group fdatasyncs may run at once (invariant 7). 1 (the default) waits
   * for each flush before writing the next group; 2 overlaps them, which pays where flushes are
   * slow and CPU is spare (+19 % appends in `bench/wal-replay.ts`), not on a saturated core.
   */
  readonly syncsInFlightMax?: number;
  /** Most bytes waiting for a group; past it `append` rejects `COLLECTOR_WAL_OVERLOADED`. Default 256 MiB. */
  readonly queueBytesMax?: number;
  /** Size of one read of a reader or scanner. Default 4 MiB. */
  readonly readChunkBytes?: number;
  /** Chunks kept for readers to share (each up to `readChunkBytes`). Default 4. */
  readonly readCacheChunksMax?: number;
  /** Default `{ mode: 'always' }`. */
  readonly fsync?: FsyncPolicy;
  /** Delivered segments are kept at least this long after their last write. Default 0. */
  readonly retainMs?: number;
  /**
   * While the log (all segments) is larger than this, delivered segments go at once, oldest
   * first, whatever `retainMs` says: kept copies must never push the log into its quota.
   * Default unbounded.
   */
  readonly retainBytesMax?: number;
  /** Cursors (sink names) that `applyRetention` waits for. */
  readonly cursorNames?: readonly string[];
  readonly fs?: WalFs;
  /** Wall clock in epoch ms, for `retainMs`. */
  readonly nowMs?: () => number;
  /** Called once per distinct corrupt range readers skip (not once per sink or pass). */
  readonly onCorrupt?: (range: CorruptRange) => void;
  readonly onFsync?: (info: FsyncInfo) => void;
  /** A background fsync (interval mode) failed; it is retried at the next interval. */
  readonly onSyncError?: (error: Error) => void;
}

export type ResolvedWalOptions = Required<Omit<WalOptions, 'onCorrupt' | 'onFsync' | 'onSyncError'>> &
  Pick<WalOptions, 'onCorrupt' | 'onFsync' | 'onSyncError'>;

export function resolveWalOptions(options: WalOptions): ResolvedWalOptions {
  const segmentBytesMax = options.segmentBytesMax ?? 64 * MIB;
  const resolved: ResolvedWalOptions = {
    ...options,
    segmentBytesMax,
    recordBytesMax: options.recordBytesMax ?? Math.min(16 * MIB, segmentBytesMax - RECORD_HEADER_BYTES),
    groupBytesMax: options.groupBytesMax ?? 8 * MIB,
    queueBytesMax: options.queueBytesMax ?? 256 * MIB,
    syncsInFlightMax: options.syncsInFlightMax ?? 1,
    readChunkBytes: options.readChunkBytes ?? 4 * MIB,
    readCacheChunksMax: options.readCacheChunksMax ?? 4,
    fsync: options.fsync ?? { mode: 'always' },
    retainMs: options.retainMs ?? 0,
    retainBytesMax: options.retainBytesMax ?? Number.MAX_SAFE_INTEGER,
    cursorNames: options.cursorNames ?? [],
    fs: options.fs ?? nodeWalFs,
    nowMs: options.nowMs ?? Date.now,
  };
  const invalid = (reason: string): never => {
    throw new WalError('COLLECTOR_WAL_CONFIG_INVALID', `Write-ahead log options are invalid: ${reason}.`);
  };
  for (const key of ['segmentBytesMax', 'recordBytesMax', 'groupBytesMax', 'queueBytesMax', 'readChunkBytes', 'syncsInFlightMax'] as const) {
    if (!Number.isSafeInteger(resolved[key]) || resolved[key] <= 0) invalid(`${key} must be a positive integer, got ${resolved[key]}`);
  }
  if (resolved.recordBytesMax + RECORD_HEADER_BYTES > resolved.segmentBytesMax) {
    invalid(`recordBytesMax (${resolved.recordBytesMax}) + ${RECORD_HEADER_BYTES} header bytes exceeds segmentBytesMax (${resolved.segmentBytesMax})`);
  }
  if (resolved.fsync.mode === 'interval' && !(resolved.fsync.intervalMs > 0)) invalid('fsync.intervalMs must be > 0');
  if (!(resolved.retainMs >= 0)) invalid('retainMs must be >= 0');
  if (!(resolved.retainBytesMax >= 0)) invalid('retainBytesMax must be >= 0');
  if (!Number.isSafeInteger(resolved.readCacheChunksMax) || resolved.readCacheChunksMax < 0) invalid('readCacheChunksMax must be an integer >= 0');
  return resolved;
}
