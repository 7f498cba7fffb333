/**
 * The built CLI: graceful SIGTERM drains the sinks and exits 0; a second signal exits at once;
 * a bad config value prints one line naming the key and exits 2; `wal verify` reads a WAL.
 */
import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { COLLECTOR_CLI, ensureCollectorBuilt, readLake, startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';
import { frameOf, makeEvents, postFrame } from './helpers/batch-sender.js';

const started: CollectorProcess[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) await c.cleanup();
});

describe('graceful shutdown', () => {
  it('on SIGTERM delivers what is pending (even with a long linger), saves the cursor and exits 0', async () => {
    const c = await startCollectorProcess({ config: { delivery: { drainDeadlineMs: 10_000 }, sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 60_000 } }] } });
    started.push(c);
    const events = makeEvents(50);
    expect((await postFrame(c.url, await frameOf(events))).status).toBe(200);
    expect(await readLake(c.lakeDir, 'clean')).toEqual([]); // still lingering
    expect(await c.stop('SIGTERM')).toBe(0);
    const seen = new Set((await readLake(c.lakeDir, 'clean')).map((l) => l.value.id));
    expect(events.every((e) => seen.has(e.id))).toBe(true);
    const cursor = JSON.parse(await readFile(join(c.walDir, 'cursors', 'lake.json'), 'utf8')) as { committed: number; inflight?: unknown };
    expect(cursor.committed).toBeGreaterThan(0);
    expect(cursor.inflight).toBeUndefined();
    expect(c.output()).toMatch(/SIGTERM, stopping/);
  });

  it('exits at once on a second signal while a drain is stuck, and the next start delivers what was left', async () => {
    const c = await startCollectorProcess({ config: { delivery: { drainDeadlineMs: 60_000, breakerOpenMs: 100, backoffMaxMs: 100 }, sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 10 } }] } });
    started.push(c);
    await writeFile(c.lakeDir, 'blocked');
    const events = makeEvents(10);
    expect((await postFrame(c.url, await frameOf(events))).status).toBe(200);
    c.child.kill('SIGTERM');
    await waitFor(() => c.output().includes('SIGTERM, stopping'), 5_000, 'first signal seen');
    const secondAt = Date.now();
    const code = await c.stop('SIGINT', 5_000);
    expect(code).toBe(1);
    expect(Date.now() - secondAt).toBeLessThan(3_000);
    expect(c.output()).toMatch(/second SIGINT, exiting now/);
    await rm(c.lakeDir, { force: true });
    const again = await c.restart();
    started.push(again);
    await waitFor(async () => {
      const seen = new Set((await readLake(again.lakeDir, 'clean')).map((l) => l.value.id));
      return events.every((e) => seen.has(e.id));
    }, 15_000, 'left-over events after restart');
  });
});

describe('cli', () => {
  it('prints one line naming the bad key and exits 2', () => {
    ensureCollectorBuilt();
    const bad = spawnSync(process.execPath, [COLLECTOR_CLI, 'serve'], { env: { ...process.env, SHOPSTREAM_WAL_QUOTA_BYTES: 'lots' }, encoding: 'utf8', timeout: 10_000 });
    expect(bad.status).toBe(2);
    const lines = bad.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/wal\.quotaBytes must be an integer from 16384 to \d+ \(bytes\), got "lots"/);
    const typo = spawnSync(process.execPath, [COLLECTOR_CLI], { env: { ...process.env, SHOPSTREAM_DELIVERY_RETRIES: '3' }, encoding: 'utf8', timeout: 10_000 });
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/delivery\.retries is not a known key/);
  });

  it('verifies a WAL written by a collector', async () => {
    const c = await startCollectorProcess();
    started.push(c);
    expect((await postFrame(c.url, await frameOf(makeEvents(5)))).status).toBe(200);
    expect(await c.stop('SIGTERM')).toBe(0);
    const verify = spawnSync(process.execPath, [COLLECTOR_CLI, 'wal', 'verify', c.walDir], { encoding: 'utf8', timeout: 10_000 });
    expect(verify.status).toBe(0);
    expect(verify.stdout).toMatch(/OK/);
    expect(verify.stdout).toMatch(/1 record/);
  });
});
