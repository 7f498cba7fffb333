import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { uuidV7 } from '@shopstream/shared';
import type { DeliveryOutcome } from '../../../delivery/delivery-outcome.js';
import { outcomeForStatus } from '../../../delivery/classify-status.js';
import { SdkError } from '../../../errors.js';
import { createIndexedDbQueue, type IndexedDbQueue } from '../../../storage/indexeddb.js';
import type { Transport } from '../../../transport/transport.js';
import { resolveBrowserConfig } from '../config.js';
import { deliverQueued, type DeliverIo } from '../queue-delivery.js';

let db = 0;
const config = resolveBrowserConfig({ endpoint: 'http://127.0.0.1:1', writeKey: 'k', batchEventsMax: 10, retryBaseMs: 1_000, retryMaxMs: 8_000 });

async function queueWith(events: number, limits = { countMax: 1_000, bytesMax: 1_000_000 }): Promise<IndexedDbQueue> {
  const queue = createIndexedDbQueue(limits, createStore(`deliver-test-${++db}`, 'queue'));
  await queue.append(
    Array.from({ length: events }, (_, i) => {
      const id = uuidV7();
      return { id, events: [{ id, type: 'Product Viewed', timestamp: new Date(0).toISOString(), properties: { i } }], bytes: 100 };
    }),
  );
  return queue;
}

/** A transport answering from a script; records the sends. */
function scripted(...answers: DeliveryOutcome[]): Transport & { sends: number } {
  const t = {
    sends: 0,
    send: async (): Promise<DeliveryOutcome> => answers[Math.min(t.sends++, answers.length - 1)]!,
  };
  return t;
}

function io(queue: IndexedDbQueue, transport: Transport, nowMs = 1_000_000): DeliverIo & { acked: string[] } {
  const acked: string[] = [];
  return { queue, transport, now: () => nowMs, iso: (ms) => new Date(ms).toISOString(), random: () => 0.5, active: () => true, onAcked: (records) => acked.push(...records.map((r) => r.id)), acked };
}

const renew = () => Promise.resolve(true);
const httpError = (status: number) => new SdkError('SDK_HTTP_STATUS', `collector answered HTTP ${status}`, { status });

describe('deliverQueued', () => {
  it('sends batch after batch until the queue is empty, acknowledging each', async () => {
    const queue = await queueWith(25);
    const transport = scripted({ status: 'success' });
    const deps = io(queue, transport);
    expect(await deliverQueued(config, deps, renew)).toBeUndefined(); // idle
    expect(transport.sends).toBe(3);
    expect(deps.acked).toHaveLength(25);
    expect((await queue.snapshot(100))[1]).toEqual([]);
  });

  it('cuts batches at batchBytesMax, a record larger than the limit going alone', async () => {
    const queue = await queueWith(5); // 100 bytes each
    const sizes: number[] = [];
    const transport: Transport = { send: async () => (sizes.push(((await queue.snapshot(100))[1]).length), { status: 'success' }) };
    await deliverQueued({ ...config, batchBytesMax: 250 }, io(queue, transport), renew);
    expect(sizes).toEqual([5, 3, 1]); // queue length before each send: batches of 2, 2, 1
    const big = await queueWith(2);
    const sent: number[] = [];
    await deliverQueued({ ...config, batchBytesMax: 50 }, io(big, { send: async () => (sent.push(1), { status: 'success' }) }), renew);
    expect(sent).toHaveLength(2);
    expect((await big.snapshot(100))[1]).toEqual([]);
  });

  it("keeps the batch and persists the collector's Retry-After; no send before it", async () => {
    const queue = await queueWith(5);
    const transport = scripted({ status: 'retryable', retryAfterMs: 30_000, error: httpError(503) });
    expect(await deliverQueued(config, io(queue, transport), renew)).toBe(30_000);
    expect((await queue.snapshot(1))[0]).toMatchObject({ attempts: 1, notBeforeMs: 1_030_000 });
    expect(await deliverQueued(config, io(queue, transport, 1_010_000), renew)).toBe(20_000);
    expect(transport.sends).toBe(1);
    expect((await queue.snapshot(100))[1]).toHaveLength(5);
  });

  it('backs off with growing full-jitter ceilings, then clears the state after a 2xx', async () => {
    const queue = await queueWith(3);
    const transport = scripted({ status: 'retryable', error: httpError(500) }, { status: 'retryable', error: httpError(500) }, { status: 'success' });
    let now = 0;
    const waits: number[] = [];
    for (let round = 0; round < 3; round++) {
      const afterMs = await deliverQueued(config, { ...io(queue, transport), now: () => now }, renew);
      if (afterMs !== undefined) {
        waits.push(afterMs);
        now += afterMs;
      }
    }
    expect(waits).toEqual([500, 1_000]); // random 0.5 × ceilings 1 s, 2 s
    expect((await queue.snapshot(1))[0]).toMatchObject({ attempts: 0, notBeforeMs: 0 }); // backoff ended
    expect((await queue.snapshot(100))[1]).toEqual([]);
  });

  it('drops a batch refused for good (400) and counts it as dropped; keeps one refused for auth (401) until the key works', async () => {
    const errors: Error[] = [];
    const withErrors = { ...config, onError: (e: Error) => errors.push(e) };
    const refused = await queueWith(4);
    await deliverQueued(withErrors, io(refused, scripted({ status: 'failure', error: httpError(400) }, { status: 'success' })), renew);
    expect((await refused.snapshot(100))[1]).toEqual([]);
    expect(((await refused.snapshot(1))[0]).dropped).toBe(4);
    expect(errors.map((e) => (e as SdkError).code)).toEqual(['SDK_BATCH_REJECTED']);

    // 401 as the one classifier answers it: paused, kept, reported once as SDK_UNAUTHORIZED, retried later.
    const unauthorized = await queueWith(4);
    const refusedKey = outcomeForStatus(401, null, 0, '{"code":"COLLECTOR_AUTH_BAD_SIGNATURE"}');
    const transport = scripted(refusedKey, refusedKey, { status: 'success' });
    let now = 1_000_000;
    const afterMs = await deliverQueued(withErrors, { ...io(unauthorized, transport), now: () => now }, renew);
    expect(afterMs).toBeGreaterThan(0); // retried later
    expect((await unauthorized.snapshot(100))[1]).toHaveLength(4);
    expect(((await unauthorized.snapshot(1))[0]).dropped).toBe(0);
    now += afterMs!;
    now += (await deliverQueued(withErrors, { ...io(unauthorized, transport), now: () => now }, renew))!;
    expect(errors.map((e) => (e as SdkError).code)).toEqual(['SDK_BATCH_REJECTED', 'SDK_UNAUTHORIZED']); // once per episode
    // The key is fixed on the collector: the same events go through, none lost.
    const acked = io(unauthorized, transport);
    expect(await deliverQueued(withErrors, { ...acked, now: () => now }, renew)).toBeUndefined();
    expect(acked.acked).toHaveLength(4);
    expect(((await unauthorized.snapshot(1))[0]).dropped).toBe(0);
  });

  it('reports the dropped count on the first event of the next batch, once', async () => {
    const queue = await queueWith(15, { countMax: 10, bytesMax: 1_000_000 });
    expect(((await queue.snapshot(1))[0]).dropped).toBe(5);
    const bodies: Uint8Array[] = [];
    const transport: Transport = { send: async (body) => (bodies.push(body), { status: 'success' }) };
    const noGzip = { ...config };
    const saved = globalThis.CompressionStream;
    // @ts-expect-error: plain JSON bodies are easy to read back
    delete globalThis.CompressionStream;
    try {
      await deliverQueued(noGzip, io(queue, transport), renew);
    } finally {
      globalThis.CompressionStream = saved;
    }
    const batches = bodies.map((b) => (JSON.parse(new TextDecoder().decode(b)) as { batch: { context?: { dropped?: number }; sentAt?: string }[] }).batch);
    expect(batches.flat().map((e) => e.context?.dropped ?? 0)).toEqual([5, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(batches.flat().every((e) => typeof e.sentAt === 'string')).toBe(true);
    expect(((await queue.snapshot(1))[0]).dropped).toBe(0);
  });
});
