/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and
 * Jitter"): a random wait in [0, min(max, base·2^(try-1))], so sinks recovering from an outage
 * are not hit by every collector at the same instant. A server's `Retry-After` is a floor.
 */
export interface BackoffPolicy {
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

export function backoffMs(tryNumber: number, policy: BackoffPolicy, random: () => number, retryAfterMs = 0): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.min(Math.max(tryNumber - 1, 0), 30));
  return Math.max(Math.floor(random() * ceiling), Math.min(retryAfterMs, policy.backoffMaxMs));
}
