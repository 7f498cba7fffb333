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
    expect(lines[0]).toMatch(/wal\.quotaBytes \(from SHOPSTREAM_WAL_QUOTA_BYTES\) must be an integer from 16384 to \d+ \(bytes\), got "lots"/);
    const typo = spawnSync(process.execPath, [COLLECTOR_CLI], { env: { ...process.env, SHOPSTREAM_DELIVERY_RETRIES: '3' }, encoding: 'utf8', timeout: 10_000 });
    expect(typo.status).toBe(2);
    expect(typo.stderr.trim()).toBe('shopstream-collector: config: unknown environment variable SHOPSTREAM_DELIVERY_RETRIES: no config key is named so (did you mean SHOPSTREAM_DELIVERY_RETRIES_MAX?)');
  });

  it('refuses unknown flags and stray arguments with exit 2 before starting; --version prints the version', async () => {
    ensureCollectorBuilt();
    const run = (args: string[]) => spawnSync(process.execPath, [COLLECTOR_CLI, ...args], { env: process.env, encoding: 'utf8', timeout: 10_000 });
    for (const [args, says] of [
      [['--conifg', 'x.yaml'], 'unknown flag --conifg (known: --config, --help, --version)'],
      [['serve', '--config'], '--config needs a value'],
      [['serve', 'extra'], 'unexpected argument "extra"'],
      [['keygen', '--keyid', '2'], 'unknown flag --keyid (known: --key-id)'],
      [['wal', 'verify', '/tmp', '--force'], 'unknown flag --force (known: none)'],
    ] as const) {
      const result = run([...args]);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr.split('\n')[0]).toBe(`shopstream-collector: ${says}`);
      expect(result.stdout).toBe('');
    }
    const packageVersion = (JSON.parse(await readFile(new URL('../../collector/package.json', import.meta.url), 'utf8')) as { version: string }).version;
    for (const args of [['--version'], ['-v'], ['version']]) {
      const result = run(args);
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(`${packageVersion}\n`);
    }
  });

  it('reports every setting at start, secrets masked, and writes only JSON lines to stdout', async () => {
    const secret = 'hmac-secret-from-a-secret-store';
    const c = await startCollectorProcess({
      config: { sources: [{ id: 'orders', writeKey: 'orders-write-key' }] },
      env: { SHOPSTREAM_LOG_LEVEL: 'info', SHOPSTREAM_SOURCES_ORDERS_SECRET: secret, SHOPSTREAM_INGEST_DEDUPE_REDIS_URL: 'redis://:pw-in-url@127.0.0.1:1' , SHOPSTREAM_INGEST_DEDUPE_STORE: 'off' },
    });
    started.push(c);
    expect(await c.stop('SIGTERM')).toBe(0);
    const stdout = c.stdout();
    const lines = stdout.trim().split('\n');
    const parsed = lines.map((line) => JSON.parse(line) as { event?: string; settings?: Record<string, unknown> });
    const loaded = parsed.find((line) => line.event === 'ConfigLoaded')!;
    expect(loaded.settings).toMatchObject({ 'sources[0].secret': `*** (${secret.length} chars)`, 'sources[0].writeKey': '*** (16 chars)', 'ingest.dedupe.redisUrl': 'redis://:***@127.0.0.1:1', 'wal.fsync': 'always', 'delivery.retriesMax': 10 });
    expect(c.output()).toMatch(/^shopstream-collector: sources +\[0\]\.secret=\*\*\* \(31 chars\) \(SHOPSTREAM_SOURCES_ORDERS_SECRET\) \[0\]\.id=orders \[0\]\.writeKey=\*\*\* \(16 chars\)$/m);
    expect(c.output()).not.toMatch(/hmac-secret|orders-write-key|pw-in-url/);
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
