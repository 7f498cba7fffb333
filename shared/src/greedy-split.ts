/**
 * Greedy split in order: a run ends before the item that would pass `bytesMax` bytes (or, in
 * `greedySplit`, `countMax` items); an item larger than `bytesMax` goes alone, so every run holds
 * at least one item and the split always makes progress. Deterministic: a replay cuts the same
 * runs. The one copy for the SDK's batch and beacon cuts (browser), the collector's sink chunks
 * and its AWS calls.
 */

/** The first run of `items` (empty only for no items). Written for bytes: it ships in the browser bundle. */
export function firstGreedyRun<T>(items: readonly T[], bytesOf: (item: T) => number, bytesMax: number): T[] {
  let end = 0;
  for (let bytes = 0; end < items.length && ((bytes += bytesOf(items[end]!)) <= bytesMax || end === 0); end++);
  return items.slice(0, end);
}

/** All runs of `items`, each within `countMax` items (at least 1) and `bytesMax` bytes, in order. */
export function greedySplit<T>(items: readonly T[], bytesOf: (item: T) => number, countMax: number, bytesMax: number): T[][] {
  const runs: T[][] = [];
  for (let start = 0; start < items.length; ) {
    const run = firstGreedyRun(items.slice(start, start + Math.max(1, countMax)), bytesOf, bytesMax);
    runs.push(run);
    start += run.length;
  }
  return runs;
}
