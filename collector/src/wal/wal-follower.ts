/**
 * A read-only view of a log that another thread writes (README "Followers"). The writer owns
 * the segment files (appends, new segments, retention); the follower reads them and owns the
 * cursor files. It never touches `LOCK` and never reads past the durable end the writer last
 * told it (`advance(snapshot)`, posted after each fsync), so invariant 3 holds across threads.
 */
import { join } from 'node:path';
import { AppendWaiters } from './append-waiters.js';
import { ChunkCache } from './chunk-cache.js';
import { corruptReporter } from './corrupt-reporter.js';
import { openCursorStore, type CursorStore } from './cursor-store.js';
import { resolveWalOptions, type WalOptions } from './options.js';
import { readRecords } from './reader.js';
import { SegmentTable, type SegmentEntry } from './segment-table.js';
import type { Lsn, WalRecord, WalSnapshot, WalStats, WriteAheadLog } from './wal.js';

export interface WalFollower extends Pick<WriteAheadLog, 'read' | 'waitForAppend' | 'stats'> {
  /** The cursor files: the follower's thread is their one writer. */
  readonly cursors: CursorStore;
  /** The writer's newer view: segments (created, grown, released) and counters; wakes waiting readers. */
  advance(snapshot: WalSnapshot): void;
  /** Wakes every waiting reader with `false`; reads after this still work (drain finishes them). */
  close(): void;
}

export async function openWalFollower(walOptions: WalOptions, first: WalSnapshot): Promise<WalFollower> {
  const options = resolveWalOptions(walOptions);
  const cursors = await openCursorStore(options.dir, options.fs);
  const table = new SegmentTable([]);
  let writerStats: WalStats = first.stats;
  let closed = false;
  const waiters = new AppendWaiters(() => table.endLsn);
  const chunks = new ChunkCache(options.readCacheChunksMax);
  const corrupt = corruptReporter(options.onCorrupt);

  const apply = (snapshot: WalSnapshot): void => {
    const known = new Map(table.entries.map((entry) => [entry.name, entry]));
    const next: SegmentEntry[] = snapshot.segments.map(({ name, firstLsn, size }) => {
      const entry = known.get(name) ?? { name, path: join(options.dir, name), firstLsn, size };
      // Durable bytes only grow; a stale snapshot arriving late must not shrink what readers may see.
      entry.size = Math.max(entry.size, size);
      return entry;
    });
    if (next.length === 0) throw new Error('bug: a WAL snapshot always holds the active segment');
    table.entries.splice(0, table.entries.length, ...next);
    writerStats = snapshot.stats;
  };
  apply(first);

  return {
    cursors,
    read(from: Lsn, countMax: number): AsyncIterable<WalRecord> {
      return readRecords(options, table, from, countMax, corrupt.report, chunks);
    },
    waitForAppend(afterLsn, signal) {
      return waiters.wait(afterLsn, closed, signal);
    },
    stats(): WalStats {
      return { ...writerStats, bytesOnDisk: table.bytes, segmentCount: table.entries.length, oldestLsn: table.oldestLsn, endLsn: table.endLsn, corruptRecordsSkipped: corrupt.count() };
    },
    advance(snapshot) {
      apply(snapshot);
      waiters.wake();
    },
    close() {
      closed = true;
      waiters.closeAll();
    },
  };
}
