/**
 * Greedy split in order: a run ends before the item that would pass `countMax` items or
 * `bytesMax` bytes; an item larger than `bytesMax` goes alone, so every run holds at least one
 * item and the split always makes progress. Deterministic: a replay cuts the same runs. The one
 * copy for the SDK's batches, the collector's sink chunks and its AWS calls.
 */
export function greedyRunEnd<T>(items: readonly T[], start: number, bytesOf: (item: T) => number, countMax: number, bytesMax: number): number {
  let end = start;
  for (let bytes = 0; end < items.length && (end === start || end - start < countMax); end++) {
    bytes += bytesOf(items[end]!);
    if (bytes > bytesMax && end > start) break;
  }
  return end;
}

/** All runs of `items` (see greedyRunEnd), in order. */
export function greedySplit<T>(items: readonly T[], bytesOf: (item: T) => number, countMax: number, bytesMax: number): T[][] {
  const runs: T[][] = [];
  for (let start = 0; start < items.length; ) {
    const end = greedyRunEnd(items, start, bytesOf, countMax, bytesMax);
    runs.push(items.slice(start, end));
    start = end;
  }
  return runs;
}
