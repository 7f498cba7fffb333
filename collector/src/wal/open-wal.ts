import { dirname, join } from 'node:path';
import { AppendWaiters } from './append-waiters.js';
import { ChunkCache } from './chunk-cache.js';
import { corruptReporter } from './corrupt-reporter.js';
import { openCursorStore, type CursorStore } from './cursor-store.js';
import { WalError } from './errors.js';
import { GroupCommitWriter } from './group-commit-writer.js';
import { resolveWalOptions, type ResolvedWalOptions, type WalOptions } from './options.js';
import { readRecords } from './reader.js';
import { recoverTail } from './recovery.js';
import { minimumCommitted, releaseSegments } from './retention.js';
import { listSegmentFiles, segmentFileName } from './segment-files.js';
import { SegmentTable, type SegmentEntry } from './segment-table.js';
import type { WalFile } from './wal-fs.js';
import { lockWalDir } from './wal-lock.js';
import type { Lsn, RecoveryReport, ReleaseResult, WalRecord, WalSnapshot, WalStats, WriteAheadLog } from './wal.js';

/** An open log plus the cursor store living beside its segments. */
export interface OpenedWal extends WriteAheadLog {
  readonly cursors: CursorStore;
  /** Segments and counters for a follower in another thread (`openWalFollower`). */
  snapshot(): WalSnapshot;
}

/**
 * Opens (creating if needed) the log in `options.dir`, cutting a torn tail of the newest segment
 * first (README "Recovery on open"). Damaged contents never make open fail.
 */
export async function openWal(walOptions: WalOptions): Promise<OpenedWal> {
  const options = resolveWalOptions(walOptions);
  const { fs, dir } = options;
  await fs.mkdir(dir);
  // Best effort: a parent we may not open for reading must not stop startup.
  await fs.syncDir(dirname(dir)).catch(() => {});
  const unlock = await lockWalDir(fs, dir);
  let table: SegmentTable;
  let recovery: RecoveryReport;
  let cursors: CursorStore;
  let file: WalFile;
  try {
    cursors = await openCursorStore(dir, fs);
    ({ table, recovery } = await loadSegments(options));
    recovery = await skipPastCursors(options, table, cursors, recovery);
    file = await fs.open(table.active.path, 'r+');
  } catch (error) {
    await unlock();
    throw error;
  }

  let closed = false;
  const waiters = new AppendWaiters(() => table.endLsn);
  const writer = new GroupCommitWriter(options, table, file, () => waiters.wake());
  const chunks = new ChunkCache(options.readCacheChunksMax);
  const corrupt = corruptReporter(options.onCorrupt);
  /** Releases run one at a time: two at once would both drop the same oldest segment. */
  let releasing: Promise<unknown> = Promise.resolve();
  const release = (below: () => Promise<Lsn>): Promise<ReleaseResult> => {
    const next = releasing.catch(() => {}).then(async () => releaseSegments(options, table, await below()));
    releasing = next;
    return next;
  };
  const stats = (): WalStats => ({
    bytesOnDisk: table.bytes,
    segmentCount: table.entries.length,
    oldestLsn: table.oldestLsn,
    endLsn: table.endLsn,
    ...writer.counters,
    corruptRecordsSkipped: corrupt.count(),
    queuedBytes: writer.bytesQueued,
  });
  const closedError = (): WalError => new WalError('COLLECTOR_WAL_CLOSED', 'The write-ahead log is closed (the collector is shutting down).');

  return {
    cursors,
    recovery,
    append(records) {
      return closed ? Promise.reject(closedError()) : writer.append(records);
    },
    read(from, countMax): AsyncIterable<WalRecord> {
      if (closed) throw closedError();
      return readRecords(options, table, from, countMax, corrupt.report, chunks);
    },
    waitForAppend(afterLsn, signal) {
      return waiters.wait(afterLsn, closed, signal);
    },
    stats,
    snapshot(): WalSnapshot {
      return { segments: table.entries.map(({ name, firstLsn, size }) => ({ name, firstLsn, size })), stats: stats() };
    },
    releaseBefore(lsn) {
      return release(() => Promise.resolve(lsn));
    },
    applyRetention() {
      return release(() => minimumCommitted(cursors, options.cursorNames));
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await writer.close();
      } finally {
        waiters.closeAll();
        await unlock();
      }
    },
  };
}

/** Lists segments, creating the first one in an empty log, and recovers the newest one's tail. */
async function loadSegments(options: ResolvedWalOptions): Promise<{ table: SegmentTable; recovery: RecoveryReport }> {
  const { fs, dir } = options;
  const { segments } = await listSegmentFiles(fs, dir);
  const entries: SegmentEntry[] = [];
  for (const segment of segments.slice(0, -1)) entries.push({ ...segment, size: (await fs.stat(segment.path)).size });
  let recovery: RecoveryReport = { truncatedBytes: 0, truncatedRecords: 0, skippedCorruptRecords: 0 };
  const newest = segments[segments.length - 1];
  if (newest) {
    try {
      const recovered = await recoverTail(fs, newest.path, options.readChunkBytes, options.recordBytesMax);
      entries.push({ ...newest, size: recovered.sizeBytes });
      recovery = recovered.report;
    } catch {
      // An unreadable newest segment must not stop startup: keep it for readers to skip and
      // continue in a fresh segment after it.
      const size = (await fs.stat(newest.path)).size;
      entries.push({ ...newest, size });
      entries.push(await createSegment(options, newest.firstLsn + size));
    }
  } else {
    entries.push(await createSegment(options, 0));
  }
  return { table: new SegmentTable(entries), recovery };
}

/**
 * Lsns are never handed out twice: if a cursor stands past the end of the log (the log lost its
 * tail to a disk fault, or a segment was deleted by hand), the next record starts a segment at
 * that cursor, or the sink would skip it and lake files named by those Lsns would be overwritten.
 */
async function skipPastCursors(options: ResolvedWalOptions, table: SegmentTable, cursors: CursorStore, recovery: RecoveryReport): Promise<RecoveryReport> {
  let highest = 0;
  for (const name of await cursors.list()) {
    const state = await cursors.load(name).catch(() => undefined); // a damaged cursor is the delivery engine's to report
    if (state) highest = Math.max(highest, state.committed, state.inflight?.to ?? 0);
  }
  if (highest <= table.endLsn) return recovery;
  table.entries.push(await createSegment(options, highest));
  return { ...recovery, endRaisedTo: highest };
}

async function createSegment(options: ResolvedWalOptions, firstLsn: Lsn): Promise<SegmentEntry> {
  const name = segmentFileName(firstLsn);
  const path = join(options.dir, name);
  await (await options.fs.open(path, 'w')).close();
  await options.fs.syncDir(options.dir);
  return { name, path, firstLsn, size: 0 };
}
