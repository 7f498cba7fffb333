import { describe, expect, it } from 'vitest';
import { createTokenBucket } from '../token-bucket.js';
import { createSourceRateLimiter } from '../source-rate-limiter.js';

describe('token bucket', () => {
  it('allows a burst, then refills at the rate and says how long to wait', () => {
    let now = 0;
    const bucket = createTokenBucket({ ratePerSec: 10, burst: 20, nowMs: () => now });
    expect(bucket.take(20)).toBe(0);
    expect(bucket.take(1)).toBe(100);
    now += 250;
    expect(bucket.take(2)).toBe(0);
    expect(bucket.take(1)).toBe(50);
    expect(bucket.take(21)).toBe(Number.POSITIVE_INFINITY);
    now += 10_000;
    expect(bucket.take(20)).toBe(0); // refill stops at the burst
    expect(bucket.take(1)).toBe(100);
  });
});

describe('per-source rate limiter', () => {
  it('limits requests/s and events/s per source, leaving other sources alone', () => {
    let now = 0;
    const limiter = createSourceRateLimiter(
      new Map([['shop', { requestsPerSec: 2, eventsPerSec: 100, burstSec: 1 }]]),
      () => now,
    );
    expect(limiter.check('shop', 10)).toEqual({ status: 'allowed' });
    expect(limiter.check('shop', 10)).toEqual({ status: 'allowed' });
    expect(limiter.check('shop', 10)).toEqual({ status: 'limited', limit: 'requests', perSec: 2, retryAfterMs: 500 });
    expect(limiter.check('other', 1_000_000)).toEqual({ status: 'allowed' });
    now += 1000;
    expect(limiter.check('shop', 150)).toEqual({ status: 'limited', limit: 'events', perSec: 100, retryAfterMs: 60_000 });
    // The refused request gave its request token back, so a fitting one still passes twice.
    expect(limiter.check('shop', 50)).toEqual({ status: 'allowed' });
    expect(limiter.check('shop', 50)).toEqual({ status: 'allowed' });
    expect(limiter.check('shop', 1)).toMatchObject({ status: 'limited', limit: 'requests' });
  });
});
