/**
 * Per-source rate limits: one bucket for requests/s and one for events/s per source, so one
 * noisy shop cannot starve the others or fill the WAL. Checked on the acknowledgement path with
 * the event count from the frame header (or the JSON batch length), before the WAL append.
 * A request that does not fit takes no tokens from either bucket.
 */
import { createTokenBucket, type TokenBucket } from './token-bucket.js';

export interface SourceRateLimit {
  readonly requestsPerSec?: number;
  readonly eventsPerSec?: number;
  /** Burst size as a multiple of one second's rate (default 2: a client flushing after a blip). */
  readonly burstSec?: number;
}

export type RateDecision =
  | { readonly status: 'allowed' }
  | { readonly status: 'limited'; readonly limit: 'requests' | 'events'; readonly perSec: number; readonly retryAfterMs: number };

export interface SourceRateLimiter {
  check(sourceId: string, eventCount: number): RateDecision;
}

/** A batch larger than a whole burst could never pass; it is told to wait one burst, not forever. */
const RETRY_AFTER_MS_MAX = 60_000;

export function createSourceRateLimiter(limits: ReadonlyMap<string, SourceRateLimit>, nowMs: () => number = Date.now): SourceRateLimiter {
  const buckets = new Map<string, { requests?: TokenBucket; events?: TokenBucket }>();
  for (const [sourceId, limit] of limits) {
    const burstSec = limit.burstSec ?? 2;
    buckets.set(sourceId, {
      ...(limit.requestsPerSec ? { requests: createTokenBucket({ ratePerSec: limit.requestsPerSec, burst: limit.requestsPerSec * burstSec, nowMs }) } : {}),
      ...(limit.eventsPerSec ? { events: createTokenBucket({ ratePerSec: limit.eventsPerSec, burst: limit.eventsPerSec * burstSec, nowMs }) } : {}),
    });
  }
  return {
    check(sourceId, eventCount) {
      const pair = buckets.get(sourceId);
      if (!pair) return { status: 'allowed' };
      const limit = limits.get(sourceId)!;
      const requestWait = pair.requests?.take(1) ?? 0;
      if (requestWait > 0) return { status: 'limited', limit: 'requests', perSec: limit.requestsPerSec!, retryAfterMs: Math.min(requestWait, RETRY_AFTER_MS_MAX) };
      const eventWait = pair.events?.take(eventCount) ?? 0;
      if (eventWait > 0) {
        pair.requests?.give(1); // give the request token back: this request was not let in
        return { status: 'limited', limit: 'events', perSec: limit.eventsPerSec!, retryAfterMs: Math.min(eventWait, RETRY_AFTER_MS_MAX) };
      }
      return { status: 'allowed' };
    },
  };
}
