/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and
 * Jitter"): the wait is uniform in [0, min(maxMs, baseMs * 2^(attempt-1))). Full jitter spreads
 * a fleet of clients that failed together, so they do not retry together.
 * `random` returns a number in [0, 1), injected so tests can pin the bounds.
 */
export function fullJitterDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceilingMs = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceilingMs);
}
