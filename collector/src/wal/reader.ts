import type { ChunkCache } from './chunk-cache.js';
import type { ResolvedWalOptions } from './options.js';
import { RECORD_HEADER_BYTES } from './record-format.js';
import { SegmentScanner } from './segment-scanner.js';
import type { SegmentTable } from './segment-table.js';
import { isMissing, type WalFile } from './wal-fs.js';
import type { CorruptRange, Lsn, WalRecord } from './wal.js';

/**
 * Records from `from` up to the acknowledged end, at most `countMax` (README "Reading and
 * corruption"). Each segment is read in `readChunkBytes` chunks up to the size it had when the
 * reader reached it; a segment that grew meanwhile is picked up again on the next pass.
 */
export async function* readRecords(
  options: ResolvedWalOptions,
  table: SegmentTable,
  from: Lsn,
  countMax: number,
  onCorrupt: (range: CorruptRange) => void,
  cache?: ChunkCache,
): AsyncGenerator<WalRecord> {
  let lsn = Math.max(from, table.oldestLsn);
  let count = 0;
  while (count < countMax) {
    const index = table.indexOf(lsn);
    const entry = table.entries[index];
    if (!entry) return;
    const endLsn = entry.firstLsn + entry.size;
    if (lsn >= endLsn) {
      const next = table.entries[index + 1];
      if (!next || next.firstLsn + next.size <= lsn) return;
      lsn = Math.max(lsn, next.firstLsn);
      continue;
    }
    let file: WalFile;
    try {
      file = await options.fs.open(entry.path, 'r');
    } catch (error) {
      if (!isMissing(error)) throw error;
      // Released while we were reading: go on with the next segment.
      const next = table.entries[table.indexOf(lsn) + 1];
      if (!next) return;
      lsn = next.firstLsn;
      continue;
    }
    try {
      const scanner = new SegmentScanner(file, entry.size, options.readChunkBytes, options.recordBytesMax, cache && { cache, key: entry.path });
      let offset = lsn - entry.firstLsn;
      for await (const item of scanner.scan(offset)) {
        if (item.kind === 'corrupt') {
          onCorrupt({ segment: entry.name, lsn: entry.firstLsn + item.offset, bytes: item.bytes, reason: item.reason });
          offset = item.offset + item.bytes;
          continue;
        }
        const recordLsn = entry.firstLsn + item.offset;
        offset = item.offset + RECORD_HEADER_BYTES + item.data.length;
        yield { lsn: recordLsn, nextLsn: entry.firstLsn + offset, data: item.data };
        count += 1;
        if (count >= countMax) return;
      }
      lsn = entry.firstLsn + offset;
    } finally {
      await file.close();
    }
  }
}
