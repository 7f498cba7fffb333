import type { CursorStore } from './cursor-store.js';
import type { ResolvedWalOptions } from './options.js';
import type { SegmentTable } from './segment-table.js';
import { isMissing } from './wal-fs.js';
import type { Lsn, ReleaseResult } from './wal.js';

/**
 * Deletes segments oldest first while they lie entirely below `lsn`, are not the active one and
 * were last written at least `retainMs` ago, or the log is larger than `retainBytesMax` (README
 * "Retention"). Stops at the first segment that must stay, so the log remains a contiguous range
 * of Lsns.
 */
export async function releaseSegments(options: ResolvedWalOptions, table: SegmentTable, lsn: Lsn): Promise<ReleaseResult> {
  let deletedSegments = 0;
  let deletedBytes = 0;
  let logBytes = table.entries.reduce((sum, entry) => sum + entry.size, 0);
  while (table.entries.length > 1) {
    const oldest = table.entries[0]!;
    if (oldest.firstLsn + oldest.size > lsn) break;
    if (options.retainMs > 0 && logBytes <= options.retainBytesMax) {
      const mtimeMs = await options.fs.stat(oldest.path).then((info) => info.mtimeMs, (error: unknown) => (isMissing(error) ? 0 : Promise.reject(error)));
      if (options.nowMs() - mtimeMs < options.retainMs) break;
    }
    try {
      await options.fs.unlink(oldest.path);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    table.entries.shift();
    deletedSegments += 1;
    deletedBytes += oldest.size;
    logBytes -= oldest.size;
  }
  if (deletedSegments > 0) await options.fs.syncDir(options.dir);
  return { deletedSegments, deletedBytes };
}

/** The lowest `committed` over `names`; a cursor never saved counts as 0 (nothing may go yet). */
export async function minimumCommitted(store: CursorStore, names: readonly string[]): Promise<Lsn> {
  let minimum = Number.MAX_SAFE_INTEGER;
  for (const name of names) minimum = Math.min(minimum, (await store.load(name)).committed);
  return names.length === 0 ? 0 : minimum;
}
