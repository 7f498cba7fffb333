/**
 * In-memory deduper for a single collector: a window of id → owner, bounded by count
 * (`idsMax`) and by time (`windowMs`, measured on the records' receive times so a rebuild from
 * the WAL reaches the same state). The oldest entries are evicted first. After a restart the
 * window is rebuilt by processing the WAL segments still on disk (./warm-from-wal.ts), so the
 * window a restart remembers is at most the WAL's retention (`wal.retainMs`); use the Redis
 * deduper for a fleet or a longer window.
 */
import { DEDUPE_WINDOW_MS_DEFAULT, type Deduper, type DedupeResult } from './deduper.js';

export interface MemoryDeduperOptions {
  readonly windowMs?: number;
  /** ~100 B per id: 1M ids ≈ 100 MB. */
  readonly idsMax?: number;
}

export interface MemoryDeduper extends Deduper {
  readonly size: number;
}

interface Claim {
  readonly owner: string;
  readonly atMs: number;
}

export function createMemoryDeduper(options: MemoryDeduperOptions = {}): MemoryDeduper {
  const windowMs = options.windowMs ?? DEDUPE_WINDOW_MS_DEFAULT;
  const idsMax = options.idsMax ?? 1_000_000;
  // A Map iterates in insertion order: the first key is always the oldest claim.
  const claims = new Map<string, Claim>();
  let newestMs = 0;

  const evict = () => {
    const horizon = newestMs - windowMs;
    for (const [id, claim] of claims) {
      if (claims.size <= idsMax && claim.atMs >= horizon) break;
      claims.delete(id);
    }
  };

  return {
    get size() {
      return claims.size;
    },
    async firstSeen(ids, owners, atMs): Promise<DedupeResult> {
      newestMs = Math.max(newestMs, atMs);
      const firstSeen = ids.map((id, i) => {
        const owner = owners[i]!;
        const claim = claims.get(id);
        if (claim === undefined) {
          claims.set(id, { owner, atMs });
          return true;
        }
        return claim.owner === owner;
      });
      evict();
      return { firstSeen, degraded: false };
    },
  };
}
