/**
 * Backpressure through a real collector: a sink that cannot write (the lake directory is
 * blocked by a plain file, which stops even root) makes lag visible in /v1/status and /metrics,
 * then 503 + Retry-After once the lag is too old or the WAL reaches its quota; after healing,
 * everything acknowledged is delivered and new batches get 200 again.
 */
import { rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { readLake, startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';
import { frameOf, makeEvents, postFrame } from './helpers/batch-sender.js';

const started: CollectorProcess[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) await c.cleanup();
});

const fastRetries = { breakerFailuresMax: 2, breakerOpenMs: 200, backoffBaseMs: 20, backoffMaxMs: 200 };

interface Status {
  ready: boolean;
  reasons: string[];
  wal: { bytesOnDisk: number; quotaBytes: number };
  sinks: { sink: string; lagRecords: number; lagBytes: number; lagAgeMs: number; writeErrors: number; breaker: string; lastError?: { message: string } }[];
}
const status = async (c: CollectorProcess) => (await (await fetch(`${c.url}/v1/status`)).json()) as Status;

async function expectAllInLake(c: CollectorProcess, ids: readonly string[]): Promise<void> {
  await waitFor(async () => {
    const seen = new Set((await readLake(c.lakeDir, 'clean')).map((l) => l.value.id));
    return ids.every((id) => seen.has(id));
  }, 30_000, 'every acknowledged event in the lake');
}

describe('backpressure', () => {
  it('shows lag while the sink fails, answers 503 past lagAgeMaxMs, and delivers everything after healing', async () => {
    const c = await startCollectorProcess({ config: { delivery: { ...fastRetries, lagAgeMaxMs: 1500 }, sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 20 } }] } });
    started.push(c);
    await writeFile(c.lakeDir, 'blocked: the lake cannot be written'); // the sink fails from now on
    const acked: string[] = [];
    for (let i = 0; i < 5; i++) {
      const events = makeEvents(20);
      const res = await postFrame(c.url, await frameOf(events));
      expect(res.status).toBe(200);
      acked.push(...events.map((e) => e.id));
    }
    await waitFor(async () => (await status(c)).sinks[0]!.lagAgeMs > 1600, 10_000, 'lag older than the limit');
    const lagging = (await status(c)).sinks[0]!;
    expect(lagging.lagRecords).toBe(5);
    expect(lagging.lagBytes).toBeGreaterThan(0);
    expect(lagging.writeErrors).toBeGreaterThan(0);
    expect(lagging.lastError?.message).toMatch(/ENOTDIR|EEXIST|not a directory/i);
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    expect(metrics).toMatch(/shopstream_sink_lag_records\{sink="lake"\} 5/);
    expect(metrics).toMatch(/shopstream_sink_write_error_total\{sink="lake",status="retryable"\} [1-9]/);

    const refused = await postFrame(c.url, await frameOf(makeEvents(1)));
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('COLLECTOR_SINK_LAGGING');
    expect(body.error.message).toMatch(/Sink lake is \d+ s behind/);
    const readyz = await fetch(`${c.url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(((await readyz.json()) as { reasons: string[] }).reasons.join()).toMatch(/sink lake lags/);

    await rm(c.lakeDir, { force: true }); // heal
    await expectAllInLake(c, acked);
    await waitFor(async () => (await fetch(`${c.url}/readyz`)).status === 200, 10_000, 'ready again');
    const events = makeEvents(3);
    expect((await postFrame(c.url, await frameOf(events))).status).toBe(200);
    await expectAllInLake(c, events.map((e) => e.id));
    expect((await status(c)).sinks[0]!).toMatchObject({ breaker: 'closed' });
  });

  it('answers 503 + Retry-After at the WAL disk quota, then 200 once the sink caught up and segments were released', async () => {
    const c = await startCollectorProcess({
      config: { limits: { bodyBytesMax: 16 * 1024, decodedBytesMax: 16 * 1024 }, wal: { segmentBytesMax: 32 * 1024, quotaBytes: 128 * 1024, retainMs: 0 }, delivery: { ...fastRetries, lagAgeMaxMs: 600_000 }, sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 20 } }] },
    });
    started.push(c);
    await writeFile(c.lakeDir, 'blocked');
    const acked: string[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 500 && !refused; i++) {
      const events = makeEvents(20);
      const res = await postFrame(c.url, await frameOf(events));
      if (res.status === 200) acked.push(...events.map((e) => e.id));
      else refused = res;
    }
    expect(refused?.status).toBe(503);
    const retryAfter = Number(refused!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(120);
    const body = (await refused!.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('COLLECTOR_WAL_QUOTA');
    expect(body.error.message).toMatch(/write-ahead log is full .* Nothing acknowledged is lost/);
    const full = await status(c);
    expect(full.wal.bytesOnDisk).toBeGreaterThanOrEqual(full.wal.quotaBytes);
    expect(full.reasons.join()).toMatch(/WAL over quota/);
    expect((await fetch(`${c.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);

    await rm(c.lakeDir, { force: true }); // heal: the sink catches up, retention frees segments
    await expectAllInLake(c, acked);
    await waitFor(async () => (await status(c)).wal.bytesOnDisk < 128 * 1024, 15_000, 'WAL under quota');
    const events = makeEvents(5);
    expect((await postFrame(c.url, await frameOf(events))).status).toBe(200);
    await expectAllInLake(c, events.map((e) => e.id));
  });
});
