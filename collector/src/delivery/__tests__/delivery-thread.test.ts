/**
 * Delivery in a worker thread (the default): the main thread acknowledges, the worker delivers.
 * A worker that dies is restarted and replays from the cursors (every event in `clean` exactly
 * once), and what the worker counts reaches the main thread's /metrics. Runs the TypeScript
 * worker through a tsx entry (./ts-delivery-worker.mjs); the CLI runs dist/delivery-worker.js.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { cleanIds } from '../../sinks/lake/__tests__/clean-ids.js';
import { startCollector, type RunningCollector } from '../../app.js';
import { parseConfig } from '../../config/config.js';
import { useTempDir } from '../../wal/__tests__/helpers.js';
import { sinkTypes } from '../../sinks/built-in-sink-types.js';

const t = useTempDir();
let collector: RunningCollector | undefined;
// Registered after the temp dir's hook, so it runs before the directory is removed.
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

const workerUrl = new URL('./ts-delivery-worker.mjs', import.meta.url);

const post = (url: string, ids: string[]) =>
  fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer dev-key' }, body: JSON.stringify(ids.map((id) => ({ id, type: 'Cart Viewed', timestamp: '2026-11-23T09:00:00Z' }))) });

async function postBatches(url: string, prefix: string, batches: number, perBatch: number): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const res = await post(url, Array.from({ length: perBatch }, (_, i) => `${prefix}-${b}-${i}`));
    expect(res.status).toBe(200);
  }
}


async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const metricValue = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : Number.NaN;
};

async function start(): Promise<{ url: string; lake: string }> {
  const lake = join(t.dir, 'lake');
  const config = parseConfig({ listen: { port: 0 }, wal: { dir: join(t.dir, 'wal'), segmentBytesMax: 32_768, retainMs: 0 /* delivered segments go at once */ }, lake: { dir: lake }, limits: { bodyBytesMax: 16_384, decodedBytesMax: 16_384 }, log: { level: 'error' }, sinks: [{ type: 'lake', limits: { lingerMs: 10 } }] }, sinkTypes);
  collector = await startCollector(config, { log: pino({ level: 'silent' }), deliveryWorker: { workerUrl } });
  return { url: collector.url, lake };
}

it('restarts a delivery worker that dies; it replays from the cursors and every event lands in clean exactly once', async () => {
  const { url, lake } = await start();
  expect(collector!.deliveryThread).toBeDefined();
  await postBatches(url, 'a', 20, 5);
  await waitFor(async () => (await cleanIds(lake)).length === 100);
  const before = await (await fetch(`${url}/metrics`)).text();
  expect(metricValue(before, 'shopstream_sink_delivered_records_total{sink="lake"}')).toBeGreaterThan(0);
  expect(metricValue(before, 'shopstream_event_processed_total{source="dev",outcome="accepted",reason=""}')).toBe(100);

  const exited = collector!.deliveryThread!.currentWorker!.terminate(); // as a crash would: no drain, no cursor save
  await postBatches(url, 'b', 20, 5); // acknowledged while no worker runs
  await exited;
  await waitFor(async () => collector!.deliveryThread!.restarts === 1 && (await cleanIds(lake)).length >= 200);
  const ids = await cleanIds(lake);
  expect(ids.length).toBe(200);
  expect(new Set(ids).size).toBe(200);

  const after = await (await fetch(`${url}/metrics`)).text();
  expect(metricValue(after, 'shopstream_delivery_worker_restarted_total')).toBe(1);
  expect(metricValue(after, 'shopstream_event_processed_total{source="dev",outcome="accepted",reason=""}')).toBeGreaterThanOrEqual(200);
  // The lake files land before the cursor save that follows them: wait for the cursor too.
  const sinks = async () => ((await (await fetch(`${url}/v1/status`)).json()) as { sinks: { sink: string; state: string; lagBytes: number }[] }).sinks;
  await waitFor(async () => (await sinks())[0]?.lagBytes === 0);
  expect(await sinks()).toEqual([expect.objectContaining({ sink: 'lake', state: 'running', lagBytes: 0 })]);
});

it('drains through the worker on stop and lets the main thread release WAL segments every cursor passed', async () => {
  const { url, lake } = await start();
  await postBatches(url, 'c', 60, 10); // ~50 KB of WAL: more than one 32 KB segment
  expect(((await (await fetch(`${url}/v1/status`)).json()) as { wal: { segmentCount: number } }).wal.segmentCount).toBeGreaterThan(1);
  await collector!.stop();
  collector = undefined;
  const ids = await cleanIds(lake);
  expect(ids.length).toBe(600);
  expect(new Set(ids).size).toBe(600);
  const segments = (await readdir(join(t.dir, 'wal'))).filter((name) => name.endsWith('.wal'));
  expect(segments.length).toBe(1); // the cursor (written by the worker) passed every older segment; retention ran on the writer's thread
});
