import { identityCodec, isUuidV7, msgpackEncoding, type Outcome } from '@shopstream/shared';
import { describe, expect, it } from 'vitest';
import { createClient } from '../client.js';
import type { ClientOptions } from '../config.js';
import { outcomeForStatus } from '../delivery/classify-status.js';
import { createMemoryStorage } from '../storage/memory.js';
import { manualTimers, recordingTransport, settle } from './fakes.js';

function makeClient(overrides: Partial<ClientOptions> & Pick<ClientOptions, 'transport'>) {
  const clock = manualTimers();
  const errors: Array<{ code?: string; message: string; batch?: string }> = [];
  const client = createClient({
    writeKey: 'wk_test',
    storage: createMemoryStorage(),
    codec: identityCodec,
    encoding: msgpackEncoding,
    now: clock.now,
    timers: clock.timers,
    random: () => 0,
    sleep: async () => undefined,
    onError: (error, batch) => errors.push({ code: (error as { code?: string }).code, message: error.message, batch: batch?.id }),
    ...overrides,
  });
  return { client, clock, errors };
}

describe('client: events', () => {
  it('stamps a UUIDv7 id and the call-time timestamp; sentAt when framed; Segment message form too', async () => {
    const { transport, sends } = recordingTransport();
    const { client, clock } = makeClient({ transport, batchEventsMax: 3 });
    void client.track('Product Viewed', { product_id: 'p1' }, { userId: 'u1' });
    clock.advance(5);
    void client.track({ event: 'Product Added', userId: 'u2', properties: { product_id: 'p2' } });
    void client.identify('u3', { plan: 'pro' });
    await client.flush();
    const [a, b, c] = sends[0]!.events;
    expect(isUuidV7(a!.id) && isUuidV7(b!.id) && a!.id !== b!.id).toBe(true);
    expect(a).toMatchObject({ type: 'Product Viewed', userId: 'u1', properties: { product_id: 'p1' }, timestamp: new Date(1_790_000_000_000).toISOString() });
    expect(b).toMatchObject({ type: 'Product Added', userId: 'u2', timestamp: new Date(1_790_000_000_005).toISOString() });
    expect(c).toMatchObject({ type: 'Identify', kind: 'identify', userId: 'u3', traits: { plan: 'pro' } });
    expect(a!.sentAt).toBe(new Date(clock.now()).toISOString());
    expect(sends[0]!.headers).toMatchObject({ 'Content-Type': 'application/vnd.shopstream.frame', Authorization: 'Bearer wk_test' });
  });
});

describe('client: batching', () => {
  it('cuts by count (batchEventsMax)', async () => {
    const { transport, sends } = recordingTransport();
    const { client } = makeClient({ transport, batchEventsMax: 10 });
    for (let i = 0; i < 25; i++) void client.track('E', { i });
    await settle();
    expect(sends.map((s) => s.events.length)).toEqual([10, 10]);
    await client.flush();
    expect(sends.map((s) => s.events.length)).toEqual([10, 10, 5]);
    expect(sends.flatMap((s) => s.events.map((e) => e.properties!['i']))).toEqual([...Array(25).keys()]);
  });

  it('cuts by estimated bytes (batchBytesMax) before the limit would pass', async () => {
    const { transport, sends } = recordingTransport();
    const { client } = makeClient({ transport, batchBytesMax: 2000 });
    const padding = 'x'.repeat(400);
    for (let i = 0; i < 12; i++) void client.track('E', { i, padding });
    await client.flush();
    const sizes = sends.map((s) => s.events.length);
    expect(sizes.reduce((a, b) => a + b)).toBe(12);
    // ~540 estimated bytes per event (400 padding + id, timestamp, type): 3 fit under 2000, a fourth would pass it.
    expect(sizes).toEqual([3, 3, 3, 3]);
  });

  it('cuts by time (flushIntervalMs after the first event)', async () => {
    const { transport, sends } = recordingTransport();
    const { client, clock } = makeClient({ transport, flushIntervalMs: 1000 });
    void client.track('E');
    clock.advance(600);
    void client.track('E');
    await settle();
    expect(sends).toHaveLength(0);
    clock.advance(400);
    await settle();
    expect(sends.map((s) => s.events.length)).toEqual([2]);
    expect(clock.pendingCount()).toBe(0);
  });
});

describe('client: delivery', () => {
  it('a final 4xx drops that one batch (counted, onError) while the others are delivered', async () => {
    const rejected = new Error('collector answered HTTP 400: bad frame');
    const { transport, sends } = recordingTransport((index) => (index === 1 ? { status: 'failure', error: rejected } : { status: 'success' }));
    const delivered: string[] = [];
    const { client, errors } = makeClient({ transport, batchEventsMax: 5, inFlightMax: 1, onDelivered: (batch) => delivered.push(batch.id) });
    for (let i = 0; i < 20; i++) void client.track('E', { i });
    await client.flush();
    expect(sends).toHaveLength(4);
    expect(delivered).toHaveLength(3);
    expect(errors).toEqual([{ code: undefined, message: 'collector answered HTTP 400: bad frame', batch: expect.any(String) }]);
    expect(client.stats()).toMatchObject({ tracked: 20, queued: 20, sent: 20, delivered: 15, dropped: 5, bufferedBytes: 0 });
  });

  it('retries a 503 and counts retries; the batch leaves storage only after the 2xx', async () => {
    const storage = createMemoryStorage();
    const { transport, sends } = recordingTransport((index) => (index < 2 ? { status: 'retryable' } : { status: 'success' }));
    const { client } = makeClient({ transport, storage });
    void client.track('E');
    await client.flushToStorage();
    expect(await storage.peek(10)).toHaveLength(1);
    await client.flush();
    expect(sends).toHaveLength(3);
    expect(await storage.peek(10)).toHaveLength(0);
    expect(client.stats()).toMatchObject({ delivered: 1, retries: 2, sent: 1 });
  });

  it('keeps a batch whose retries are exhausted and delivers it after the park', async () => {
    let up = false;
    const { transport } = recordingTransport(() => (up ? { status: 'success' } : { status: 'retryable', error: new Error('HTTP 503') }));
    const { client, clock, errors } = makeClient({ transport, attemptsMax: 2, retryMaxMs: 5000 });
    void client.track('E');
    await client.flush();
    expect(errors[0]).toMatchObject({ code: 'SDK_RETRIES_EXHAUSTED' });
    expect(client.stats()).toMatchObject({ delivered: 0, dropped: 0 });
    up = true;
    clock.advance(5000);
    await settle();
    expect(client.stats()).toMatchObject({ delivered: 1, dropped: 0, bufferedBytes: 0 });
  });

  it('keeps at most inFlightMax requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const { transport } = recordingTransport(async () => {
      peak = Math.max(peak, ++inFlight);
      await settle(2);
      inFlight--;
      return { status: 'success' } satisfies Outcome;
    });
    const { client } = makeClient({ transport, batchEventsMax: 1, inFlightMax: 3 });
    for (let i = 0; i < 30; i++) void client.track('E');
    await client.flush();
    expect(peak).toBe(3);
    expect(client.stats().delivered).toBe(30);
  });
});

describe('client: bounded memory', () => {
  const blocked = () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { transport, sends } = recordingTransport(async () => {
      await gate;
      return { status: 'success' };
    });
    return { transport, sends, release };
  };

  it("overflow 'drop' counts and drops at the cap, reports once, and the cap holds", async () => {
    const { transport, release } = blocked();
    const { client, errors } = makeClient({ transport, bufferedBytesMax: 10_000, eventBytesMax: 1000, overflow: 'drop', batchEventsMax: 10 });
    const samples: number[] = [];
    for (let i = 0; i < 500; i++) {
      await client.track('E', { i, padding: 'x'.repeat(100) });
      samples.push(client.stats().bufferedBytes);
    }
    expect(Math.max(...samples)).toBeLessThanOrEqual(10_000);
    const stats = client.stats();
    expect(stats.dropped).toBeGreaterThan(400);
    expect(stats.queued + stats.dropped).toBe(500);
    expect(errors.filter((e) => e.code === 'SDK_BUFFER_FULL')).toHaveLength(1);
    release();
    await client.flush();
    expect(client.stats()).toMatchObject({ delivered: stats.queued, bufferedBytes: 0 });
  });

  it("overflow 'block' makes track() wait for room, then accepts in order", async () => {
    const { transport, sends, release } = blocked();
    const { client } = makeClient({ transport, bufferedBytesMax: 2_000, eventBytesMax: 1000, batchEventsMax: 5 });
    const calls = Array.from({ length: 30 }, (_, i) => client.track('E', { i, padding: 'x'.repeat(100) }));
    let accepted = 0;
    for (const call of calls) void call.then(() => accepted++);
    await settle();
    expect(accepted).toBeLessThan(30);
    expect(client.stats().waiting).toBe(30 - accepted);
    expect(client.stats().bufferedBytes).toBeLessThanOrEqual(2_000);
    release();
    await Promise.all(calls);
    await client.flush();
    expect(client.stats()).toMatchObject({ delivered: 30, dropped: 0, waiting: 0, bufferedBytes: 0 });
    expect(sends.flatMap((s) => s.events.map((e) => e.properties!['i']))).toEqual([...Array(30).keys()]);
  });

  it('refuses an oversize event with SDK_EVENT_TOO_LARGE and keeps going', async () => {
    const { transport } = recordingTransport();
    const { client, errors } = makeClient({ transport, eventBytesMax: 500 });
    await client.track('Huge', { blob: 'x'.repeat(1000) });
    await client.track('Fine', { ok: true });
    await client.flush();
    expect(errors[0]).toMatchObject({ code: 'SDK_EVENT_TOO_LARGE' });
    expect(errors[0]!.message).toContain('"Huge"');
    expect(client.stats()).toMatchObject({ delivered: 1, dropped: 1 });
  });

  it('close() delivers what is queued, then refuses new events', async () => {
    const { transport } = recordingTransport();
    const { client, errors } = makeClient({ transport });
    void client.track('E');
    expect(await client.close({ deadlineMs: 1000 })).toEqual({ drained: true, undelivered: 0 });
    await client.track('Late');
    expect(client.stats()).toMatchObject({ delivered: 1, dropped: 1 });
    expect(errors.at(-1)).toMatchObject({ code: 'SDK_CLOSED' });
  });
});

describe('client: refused credentials (401/403) never destroy data', () => {
  const refusedKey = outcomeForStatus(401, null, 0, '{"code":"COLLECTOR_AUTH_BAD_SIGNATURE"}');

  it('keeps every batch, pauses delivery, reports SDK_UNAUTHORIZED once, and resumes at once on setCredentials', async () => {
    let keyFixed = false;
    const { transport, sends } = recordingTransport(() => (keyFixed ? { status: 'success' } : refusedKey));
    // onRetriesExhausted 'drop' applies to an unreachable collector, never to a refused key.
    const { client, clock, errors } = makeClient({ transport, batchEventsMax: 5, retryMaxMs: 60_000, onRetriesExhausted: 'drop' });
    for (let i = 0; i < 20; i++) void client.track('E', { i });
    await client.flush(); // resolves once delivery is paused
    // The first answers pause every lane: only the batches already in flight (inFlightMax) met the 401.
    expect(sends.length).toBeLessThanOrEqual(4);
    const refusedSends = sends.length;
    expect(client.stats()).toMatchObject({ delivered: 0, dropped: 0 });
    expect(errors).toEqual([{ code: 'SDK_UNAUTHORIZED', message: expect.stringMatching(/HTTP 401.*PAUSED and nothing is dropped; 20 events are kept in the queue/), batch: expect.any(String) }]);
    clock.advance(60_000); // the pause re-probes with one batch: still refused, not reported again
    await settle();
    expect(sends).toHaveLength(refusedSends + 1); // one batch probes
    expect(errors).toHaveLength(1);
    keyFixed = true;
    client.setCredentials({ writeKey: 'wk_rotated' }); // no wait for the pause to end
    await client.flush();
    expect(client.stats()).toMatchObject({ delivered: 20, dropped: 0, bufferedBytes: 0 });
    expect(sends.at(-1)!.headers).toMatchObject({ Authorization: 'Bearer wk_rotated' });
    expect(sends.flatMap((s) => (s.headers['Authorization'] === 'Bearer wk_rotated' ? s.events.map((e) => e.properties!['i']) : [])).sort((a, b) => Number(a) - Number(b))).toEqual([...Array(20).keys()]);
  });

  it('close() without a disk queue reports how many events it leaves undelivered, and why', async () => {
    const { transport } = recordingTransport(() => refusedKey);
    const { client, clock, errors } = makeClient({ transport, batchEventsMax: 4 });
    for (let i = 0; i < 10; i++) void client.track('E', { i });
    const closing = client.close({ deadlineMs: 1000 });
    await settle();
    clock.advance(1000);
    expect(await closing).toEqual({ drained: false, undelivered: 10 });
    expect(errors.map((e) => e.code)).toEqual(['SDK_UNAUTHORIZED', 'SDK_UNDELIVERED']);
    expect(errors[1]!.message).toMatch(/^close\(\) left 10 events undelivered \(the last attempt failed: collector answered HTTP 401.*\); they were held in memory only and are LOST/);
  });
});
