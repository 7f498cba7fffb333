/**
 * The Node client against a collector that misbehaves: unreachable for a while (no loss, the
 * buffered-bytes cap holds throughout), 429 with Retry-After (the wait is honoured), and a 400
 * for one batch (dropped and reported; the rest keep flowing). The receiving side is the frame
 * sink server: it decodes frames with shared's decodeFrame and records ids.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type NodeClient } from '@shopstream/sdk/node';
import { startFrameSinkServer, type FrameSinkServer } from '../support/frame-sink-server.js';

const open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

function client(sink: FrameSinkServer, options: Partial<Parameters<typeof createClient>[0]> = {}): NodeClient & { errors: Array<{ code?: string; message: string; status?: number }> } {
  const errors: Array<{ code?: string; message: string; status?: number }> = [];
  const c = createClient({
    endpoint: sink.url,
    writeKey: 'dev-key',
    flushIntervalMs: 50,
    retryBaseMs: 20,
    retryMaxMs: 200,
    requestTimeoutMs: 1000,
    onError: (error) => errors.push({ code: (error as { code?: string }).code, message: error.message, status: (error as { status?: number }).status }),
    ...options,
  });
  open.push({ close: () => c.close({ deadlineMs: 2000 }) });
  return Object.assign(c, { errors });
}

describe('sdk-node: delivery under faults', () => {
  it('collector unreachable for ~2 s, then back: no loss, and bufferedBytes never passes the cap', async () => {
    let sink = await startFrameSinkServer();
    const port = sink.port;
    const counts = sink.counts;
    const capBytes = 256 * 1024;
    const c = client(sink, { bufferedBytesMax: capBytes, overflow: 'block', batchEventsMax: 200 });
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(c.stats().bufferedBytes), 5);

    for (let i = 0; i < 2_000; i++) await c.track('Product Viewed', { product_id: `p-${i}`, name: 'Grüner Tee, lose, 100 g', price: 4.5 });
    await c.flush();
    expect(counts.size).toBe(2_000);

    await sink.close(); // unreachable: connection refused
    const outageStart = Date.now();
    let tracked = 2_000;
    const producer = (async () => {
      while (Date.now() - outageStart < 2_000) {
        await c.track('Product Viewed', { product_id: `p-${tracked++}`, name: 'Grüner Tee, lose, 100 g', price: 4.5 });
        samples.push(c.stats().bufferedBytes);
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // The producer is blocked at the cap by now: memory stays bounded while the collector is gone.
    const duringOutage = c.stats();
    expect(duringOutage.bufferedBytes).toBeGreaterThan(capBytes * 0.5);
    expect(duringOutage.waiting).toBe(1);
    expect(c.errors.some((e) => e.code === 'SDK_RETRIES_EXHAUSTED')).toBe(true);

    const back = await startFrameSinkServer({ port });
    open.push(back);
    for (const [id, n] of counts) back.counts.set(id, n);
    sink = back;
    await producer;
    await c.flush();
    clearInterval(sampler);
    expect(Math.max(...samples)).toBeLessThanOrEqual(capBytes);
    expect(c.stats()).toMatchObject({ tracked, queued: tracked, delivered: tracked, dropped: 0, bufferedBytes: 0 });
    expect(back.counts.size).toBe(tracked);
  });

  it('429 with Retry-After: 1 is honoured: the resend comes about 1 s later, then lands', async () => {
    const sink = await startFrameSinkServer({
      script: ({ index }) => (index === 0 ? { status: 429, headers: { 'retry-after': '1' }, body: '{"code":"COLLECTOR_RATE_LIMITED"}' } : undefined),
    });
    open.push(sink);
    const c = client(sink, { retryBaseMs: 10, retryMaxMs: 50 });
    await c.track('Order Completed', { order_id: 'o-1', total: 12.5 });
    await c.flush();
    expect(sink.requests.map((r) => r.status)).toEqual([429, 200]);
    const waitedMs = sink.requests[1]!.atMs - sink.requests[0]!.atMs;
    expect(waitedMs).toBeGreaterThanOrEqual(990);
    expect(waitedMs).toBeLessThan(1_500);
    expect(c.stats()).toMatchObject({ delivered: 1, retries: 1, dropped: 0 });
    expect(sink.counts.size).toBe(1);
  });

  it('a 400 for one batch drops that batch (counted, onError with the answer) and the rest keep flowing', async () => {
    const sink = await startFrameSinkServer({
      script: ({ index }) => (index === 1 ? { status: 400, body: '{"code":"COLLECTOR_FRAME_INVALID","message":"frame refused"}' } : undefined),
    });
    open.push(sink);
    const c = client(sink, { batchEventsMax: 100, inFlightMax: 1 });
    for (let i = 0; i < 1_000; i++) await c.track('Product Viewed', { product_id: `p-${i}` });
    await c.flush();
    expect(sink.requests.map((r) => r.status)).toEqual([200, 400, 200, 200, 200, 200, 200, 200, 200, 200]);
    expect(c.stats()).toMatchObject({ tracked: 1_000, delivered: 900, dropped: 100, retries: 0 });
    expect(c.errors).toEqual([{ code: 'SDK_HTTP_STATUS', status: 400, message: 'collector answered HTTP 400: {"code":"COLLECTOR_FRAME_INVALID","message":"frame refused"}' }]);
    // A good event right after still lands.
    await c.track('Product Viewed', { product_id: 'after' });
    await c.flush();
    expect(sink.counts.size).toBe(901);
  });
});
