import { fullJitterDelayMs } from '@shopstream/shared';

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and
 * Jitter"): a random wait in [0, min(max, base·2^(try-1))], so sinks recovering from an outage
 * are not hit by every collector at the same instant. A server's `Retry-After` is a floor.
 * The jitter itself is shared's `fullJitterDelayMs`, the one copy the SDK uses too.
 */
export interface BackoffPolicy {
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

export function backoffMs(tryNumber: number, policy: BackoffPolicy, random: () => number, retryAfterMs = 0): number {
  return Math.max(fullJitterDelayMs(tryNumber, policy.backoffBaseMs, policy.backoffMaxMs, random), Math.min(retryAfterMs, policy.backoffMaxMs));
}
