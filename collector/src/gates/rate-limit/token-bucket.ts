/**
 * A token bucket: `ratePerSec` tokens refill continuously up to `burst`. `take(n)` either takes
 * n tokens (0 returned) or takes nothing and says how long until n would be there, which
 * becomes the 429's `Retry-After`. The clock is passed in so tests need no timers.
 */
export interface TokenBucketOptions {
  readonly ratePerSec: number;
  /** Largest burst accepted at once; defaults to one second's worth. */
  readonly burst?: number;
  readonly nowMs: () => number;
}

export interface TokenBucket {
  /** 0 when taken; otherwise ms to wait (Infinity when n exceeds the burst: it never fits). */
  take(n: number): number;
  /** Returns tokens taken for work that was then refused elsewhere (never past the burst). */
  give(n: number): void;
}

export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const capacity = options.burst ?? options.ratePerSec;
  const perMs = options.ratePerSec / 1000;
  let tokens = capacity;
  let lastMs = options.nowMs();
  return {
    take(n) {
      const now = options.nowMs();
      tokens = Math.min(capacity, tokens + Math.max(0, now - lastMs) * perMs);
      lastMs = now;
      if (n <= tokens) {
        tokens -= n;
        return 0;
      }
      if (n > capacity) return Number.POSITIVE_INFINITY;
      return Math.ceil((n - tokens) / perMs);
    },
    give(n) {
      tokens = Math.min(capacity, tokens + n);
    },
  };
}
