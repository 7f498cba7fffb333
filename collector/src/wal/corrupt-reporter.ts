import type { CorruptRange } from './wal.js';

/** Distinct corrupt ranges remembered so that each is reported once; past this, repeats are reported again. */
const REPORTED_RANGES_MAX = 10_000;

/**
 * Every sink's reader passes the same damage: report each range once, not once per pass
 * (README "Reading and corruption"); `count()` is `stats().corruptRecordsSkipped`.
 */
export function corruptReporter(onCorrupt: ((range: CorruptRange) => void) | undefined): { report: (range: CorruptRange) => void; count: () => number } {
  const reported = new Set<string>();
  let count = 0;
  return {
    report(range) {
      const key = `${range.segment}:${range.lsn}`;
      if (reported.has(key)) return;
      if (reported.size < REPORTED_RANGES_MAX) reported.add(key);
      count += 1;
      onCorrupt?.(range);
    },
    count: () => count,
  };
}
