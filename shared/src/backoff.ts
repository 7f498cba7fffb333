/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and
 * Jitter"): the wait is uniform in [0, min(maxMs, baseMs * 2^(attempt-1))). Full jitter spreads
 * a fleet of senders that failed together, so they do not retry together. The one copy for the
 * SDK (browser and Node) and the collector's sink delivery. `random` returns a number in [0, 1),
 * passed in so tests can pin the bounds; the exponent stops at 30 so a long outage never makes
 * the ceiling Infinity (or NaN with a zero base).
 */
export function fullJitterDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt - 1), 30)));
}
