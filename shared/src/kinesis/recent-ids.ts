/**
 * Which event ids a consumer has seen lately: the `Deduper` seam (`firstSeen(ids)`) with an
 * in-memory default bounded by count and age. In a Lambda the module scope lives as long as a
 * warm container, and Kinesis hands one shard to one invocation at a time, so the window catches
 * the duplicates the collector's at-least-once delivery makes (a retried PutRecords, a replay
 * after a crash: seconds to minutes apart). Across cold starts or containers pass a shared store
 * (Redis `SET NX EX`, DynamoDB conditional puts) behind the same interface.
 */
export interface Deduper {
  /** For each id, whether this is its first sighting (and records it); repeats within `ids` count too. */
  firstSeen(ids: readonly string[]): Promise<boolean[]>;
}

export interface RecentIdsOptions {
  /** Most ids remembered; the oldest go first past it. Default 100,000 (~10 MB). */
  readonly idsMax?: number;
  /** An id is forgotten this long after it was first seen. Default 1 h. */
  readonly windowMs?: number;
  readonly nowMs?: () => number;
}

export function recentIds(options: RecentIdsOptions = {}): Deduper & { readonly size: number } {
  const idsMax = options.idsMax ?? 100_000;
  const windowMs = options.windowMs ?? 3_600_000;
  const nowMs = options.nowMs ?? Date.now;
  if (!(idsMax > 0) || !(windowMs > 0)) throw new RangeError('recentIds needs idsMax > 0 and windowMs > 0');
  /** Insertion order is age order: the first entries are the oldest. */
  const seen = new Map<string, number>();
  const evict = (now: number): void => {
    for (const [id, atMs] of seen) {
      if (seen.size <= idsMax && now - atMs < windowMs) break;
      seen.delete(id);
    }
  };
  return {
    get size() {
      return seen.size;
    },
    async firstSeen(ids) {
      const now = nowMs();
      evict(now);
      const out = ids.map((id) => {
        if (seen.has(id)) return false;
        seen.set(id, now);
        return true;
      });
      evict(now);
      return out;
    },
  };
}
