import type { Lsn } from './wal.js';

/** A segment as readers see it: `size` is its acknowledged bytes (README invariant 3). */
export interface SegmentEntry {
  readonly name: string;
  readonly path: string;
  readonly firstLsn: Lsn;
  size: number;
}

/**
 * The segments on disk, oldest first; the last one is written to. Shared by writer (grows it),
 * readers (walk it) and retention (drops its head).
 */
export class SegmentTable {
  constructor(readonly entries: SegmentEntry[]) {}

  get active(): SegmentEntry {
    const last = this.entries[this.entries.length - 1];
    if (!last) throw new Error('bug: the segment table is never empty');
    return last;
  }

  get oldestLsn(): Lsn {
    return this.entries[0]?.firstLsn ?? 0;
  }

  /** Lsn after the last acknowledged record. */
  get endLsn(): Lsn {
    return this.active.firstLsn + this.active.size;
  }

  get bytes(): number {
    return this.entries.reduce((sum, entry) => sum + entry.size, 0);
  }

  /** Index of the segment holding `lsn` (the last one starting at or before it), or -1 if `lsn` is below all. */
  indexOf(lsn: Lsn): number {
    let low = 0;
    let high = this.entries.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (this.entries[mid]!.firstLsn <= lsn) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }
}
