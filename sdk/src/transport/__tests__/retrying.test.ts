import type { Outcome } from '@shopstream/shared';
import { describe, expect, it } from 'vitest';
import { fullJitterDelayMs } from '@shopstream/shared';
import { outcomeForStatus } from '../../delivery/classify-status.js';
import { parseRetryAfterMs } from '../retry-after.js';
import { createRetryingTransport } from '../retrying.js';
import type { Transport } from '../transport.js';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const policy = { retryBaseMs: 100, retryMaxMs: 10_000, retryAfterMaxMs: 60_000, attemptsMax: 5 };

function scripted(outcomes: Outcome[]): Transport & { calls: number } {
  const transport = {
    calls: 0,
    async send(): Promise<Outcome> {
      return outcomes[Math.min(transport.calls++, outcomes.length - 1)]!;
    },
  };
  return transport;
}

describe('Retry-After parsing', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfterMs('3', NOW)).toBe(3000);
    expect(parseRetryAfterMs(' 0 ', NOW)).toBe(0);
  });
  it('reads an HTTP date relative to now, and clamps a past date to 0', () => {
    expect(parseRetryAfterMs('Mon, 23 Nov 2026 10:00:07 GMT', NOW)).toBe(7000);
    expect(parseRetryAfterMs('Mon, 23 Nov 2026 09:00:00 GMT', NOW)).toBe(0);
  });
  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfterMs(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfterMs('', NOW)).toBeUndefined();
    expect(parseRetryAfterMs('soon', NOW)).toBeUndefined();
    expect(parseRetryAfterMs('-5', NOW)).toBeUndefined();
  });
});

describe('status → outcome', () => {
  it('2xx succeeds; 408, 429 and 5xx retry; other 4xx are final', () => {
    expect(outcomeForStatus(204, null, NOW).status).toBe('success');
    for (const status of [408, 429, 500, 502, 503]) expect(outcomeForStatus(status, null, NOW).status).toBe('retryable');
    for (const status of [400, 404, 413, 422]) expect(outcomeForStatus(status, null, NOW).status).toBe('failure');
    // 401/403: a configuration error; the batch is kept and delivery paused, never dropped.
    for (const status of [401, 403]) expect(outcomeForStatus(status, null, NOW)).toMatchObject({ status: 'paused', error: { code: 'SDK_UNAUTHORIZED', status } });
  });
  it('carries Retry-After and the collector message', () => {
    const outcome = outcomeForStatus(429, '2', NOW, '{"code":"COLLECTOR_RATE_LIMITED"}');
    expect(outcome).toMatchObject({ status: 'retryable', retryAfterMs: 2000 });
    expect(outcome.status === 'retryable' && outcome.error?.message).toContain('HTTP 429: {"code":"COLLECTOR_RATE_LIMITED"}');
  });
});

describe('full jitter', () => {
  it('stays within [0, min(max, base * 2^(attempt-1))) for random in [0, 1)', () => {
    const almostOne = 1 - Number.EPSILON;
    expect(fullJitterDelayMs(1, 100, 10_000, () => 0)).toBe(0);
    expect(fullJitterDelayMs(1, 100, 10_000, () => almostOne)).toBe(99);
    expect(fullJitterDelayMs(4, 100, 10_000, () => almostOne)).toBe(799);
    expect(fullJitterDelayMs(4, 100, 10_000, () => 0.5)).toBe(400);
    expect(fullJitterDelayMs(30, 100, 10_000, () => almostOne)).toBe(9999);
  });
});

describe('retrying transport', () => {
  it('retries retryable outcomes with jittered backoff until success', async () => {
    const inner = scripted([{ status: 'retryable' }, { status: 'retryable' }, { status: 'success' }]);
    const delays: number[] = [];
    const retries: number[] = [];
    const transport = createRetryingTransport(inner, { ...policy, random: () => 0.5, sleep: async (ms) => void delays.push(ms), onRetry: (attempt) => retries.push(attempt) });
    expect(await transport.send(new Uint8Array(1), {}, 1000)).toEqual({ status: 'success' });
    expect(inner.calls).toBe(3);
    expect(delays).toEqual([50, 100]);
    expect(retries).toEqual([1, 2]);
  });

  it('waits exactly the Retry-After, capped by retryAfterMaxMs', async () => {
    const inner = scripted([{ status: 'retryable', retryAfterMs: 2500 }, { status: 'retryable', retryAfterMs: 999_999 }, { status: 'success' }]);
    const delays: number[] = [];
    const transport = createRetryingTransport(inner, { ...policy, random: () => 0.99, sleep: async (ms) => void delays.push(ms) });
    await transport.send(new Uint8Array(1), {}, 1000);
    expect(delays).toEqual([2500, 60_000]);
  });

  it('never retries a failure', async () => {
    const error = new Error('HTTP 400');
    const inner = scripted([{ status: 'failure', error }]);
    const transport = createRetryingTransport(inner, { ...policy, random: () => 0, sleep: async () => undefined });
    expect(await transport.send(new Uint8Array(1), {}, 1000)).toEqual({ status: 'failure', error });
    expect(inner.calls).toBe(1);
  });

  it('gives up after attemptsMax sends with SDK_RETRIES_EXHAUSTED, still retryable', async () => {
    const inner = scripted([{ status: 'retryable', error: new Error('HTTP 503') }]);
    const transport = createRetryingTransport(inner, { ...policy, random: () => 0, sleep: async () => undefined });
    const outcome = await transport.send(new Uint8Array(1), {}, 1000);
    expect(inner.calls).toBe(5);
    expect(outcome.status).toBe('retryable');
    expect(outcome.status === 'retryable' && (outcome.error as { code?: string }).code).toBe('SDK_RETRIES_EXHAUSTED');
    expect(outcome.status === 'retryable' && outcome.error?.message).toContain('after 5 attempt(s): HTTP 503');
  });

  it('stops waiting when the shutdown signal aborts', async () => {
    const inner = scripted([{ status: 'retryable' }]);
    const controller = new AbortController();
    const transport = createRetryingTransport(inner, {
      ...policy,
      random: () => 0.5,
      signal: controller.signal,
      sleep: async () => controller.abort(),
    });
    const outcome = await transport.send(new Uint8Array(1), {}, 1000);
    expect(inner.calls).toBe(1);
    expect(outcome.status).toBe('retryable');
  });
});
