/**
 * ENOSPC from the WAL: the batch gets 503 COLLECTOR_DISK_FULL with Retry-After, nothing
 * acknowledged is lost, and the collector takes batches again as soon as space returns.
 * In-process with the WAL's file system passed in (the WAL tests' fault switch), not mocked.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { cleanIds } from '../../sinks/lake/__tests__/clean-ids.js';
import { startCollector, type RunningCollector } from '../../app.js';
import { sinkTypes } from '../../sinks/built-in-sink-types.js';
import { parseConfig } from '../../config/config.js';
import { faultyFs } from '../../wal/__tests__/fault-fs.js';

let dir: string | undefined;
let collector: RunningCollector | undefined;
afterEach(async () => {
  await collector?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const post = (url: string, events: { id: string }[]) =>
  fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer dev-key' }, body: JSON.stringify(events.map((e) => ({ ...e, type: 'Cart Viewed', timestamp: '2026-11-23T09:00:00Z' }))) });


it('answers 503 COLLECTOR_DISK_FULL while the WAL disk is full and recovers when space returns', async () => {
  dir = await mkdtemp(join(tmpdir(), 'collector-enospc-'));
  // Delivery on this thread: the test runs TypeScript, which a worker thread would need a loader for.
  const config = parseConfig({ listen: { port: 0 }, wal: { dir: join(dir, 'wal') }, lake: { dir: join(dir, 'lake') }, delivery: { thread: 'main' }, sinks: [{ type: 'lake', limits: { lingerMs: 10 } }] }, sinkTypes);
  const { fs, faults } = faultyFs();
  collector = await startCollector(config, { walFs: fs, log: pino({ level: 'silent' }) });

  expect((await post(collector.url, [{ id: 'before' }])).status).toBe(200);
  faults.diskFull = true;
  const full = await post(collector.url, [{ id: 'during' }]);
  expect(full.status).toBe(503);
  expect(Number(full.headers.get('retry-after'))).toBeGreaterThan(0);
  const body = (await full.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('COLLECTOR_DISK_FULL');
  expect(body.error.message).toMatch(/disk holding the write-ahead log is full/);
  expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);

  faults.diskFull = false;
  expect((await post(collector.url, [{ id: 'after' }])).status).toBe(200);
  const deadline = Date.now() + 10_000;
  while ((await cleanIds(config.lake.dir)).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(await cleanIds(config.lake.dir)).toEqual(['after', 'before']);
});

it('refuses at start, with the key to change, in-process seams that cannot cross into the delivery worker', async () => {
  dir = await mkdtemp(join(tmpdir(), 'collector-seams-'));
  const config = parseConfig({ listen: { port: 0 }, wal: { dir: join(dir, 'wal') }, lake: { dir: join(dir, 'lake') }, sinks: [{ type: 'lake' }] }, sinkTypes);
  await expect(startCollector(config, { stages: (built) => built, log: pino({ level: 'silent' }) })).rejects.toThrow(/delivery\.thread must be "main" when stages is given in-process/);
});
