/**
 * The SDK's Node client (`@shopstream/sdk/node`: lz4 frames, retries with Retry-After) against a
 * REAL collector process that is killed -9 and restarted in the middle of sending: every event
 * the client flushed is in the lake's `clean` zone exactly once.
 */
import { createClient } from '@shopstream/sdk/node';
import { afterEach, expect, it } from 'vitest';
import { readLake, startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';

const started: CollectorProcess[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) await c.cleanup();
});

it('delivers every event the Node SDK tracked across a kill -9 of the collector', async () => {
  let collector = await startCollectorProcess({ config: { sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 30 } }] } });
  started.push(collector);
  const client = createClient({ endpoint: `${collector.url}/v1/batch`, writeKey: 'dev-key', flushIntervalMs: 20, batchEventsMax: 50, retryBaseMs: 20, retryMaxMs: 200, requestTimeoutMs: 2000 });
  const total = 3000;
  for (let seq = 0; seq < total; seq++) {
    await client.track('Product Viewed', { seq, product_id: `p-${seq % 100}`, price: 4.5 });
    if (seq === 1000) {
      collector = await collector.restart(); // kill -9, then the same dirs and port
      started.push(collector);
    }
    if (seq % 200 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  await client.flush();
  await client.close({ deadlineMs: 10_000 });
  const seqs = async () => new Set((await readLake(collector.lakeDir, 'clean')).map((l) => (l.value.extra as { properties: { seq: number } }).properties.seq));
  await waitFor(async () => (await seqs()).size === total, 30_000, `all ${total} events in the lake`);
  await new Promise((r) => setTimeout(r, 300)); // a duplicate would show up now
  const lines = await readLake(collector.lakeDir, 'clean');
  expect(lines.every((l) => l.value.source === 'dev' && l.value.type === 'Product Viewed')).toBe(true);
  // A batch whose ack was lost in the kill is resent; the deduper drops the copy: exactly `total`.
  expect(lines.length).toBe(total);
  expect(await seqs()).toEqual(new Set(Array.from({ length: total }, (_, seq) => seq)));
});
