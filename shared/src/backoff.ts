/** The retry limits a sender keeps (the SDK's browser and Node defaults differ). */
export interface RetryPolicy {
  /** First backoff ceiling; doubles per attempt. */
  readonly retryBaseMs: number;
  /** Backoff ceiling never grows past this. */
  readonly retryMaxMs: number;
  /** A server's `Retry-After` is honoured up to this; longer waits are capped. */
  readonly retryAfterMaxMs: number;
}

/**
 * How long to wait before attempt `attempt + 1` (`attempt` counts from 1): exactly the server's
 * `Retry-After` (capped at `retryAfterMaxMs`) when it gave one, else exponential backoff with
 * full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"), uniform in
 * [0, min(retryMaxMs, retryBaseMs * 2^(attempt-1))): a fleet of senders that failed together
 * does not retry together. The exponent stops at 30 so a long outage never makes the ceiling
 * Infinity (or NaN with a zero base). `random` returns a number in [0, 1), passed in so tests
 * can pin the bounds. The one rule for the SDK (Node's retrying transport, the browser's saved
 * backoff) and, through `fullJitterDelayMs`, the collector's sink delivery.
 */
export function retryDelayMs(retryAfterMs: number | undefined, attempt: number, policy: RetryPolicy, random: () => number): number {
  return retryAfterMs !== undefined
    ? Math.min(retryAfterMs, policy.retryAfterMaxMs)
    : Math.floor(random() * Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.min(attempt - 1, 30)));
}

/** The full-jitter wait alone (no `Retry-After`): uniform in [0, min(maxMs, baseMs * 2^(attempt-1))). */
export function fullJitterDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  return retryDelayMs(undefined, attempt, { retryBaseMs: baseMs, retryMaxMs: maxMs, retryAfterMaxMs: 0 }, random);
}
