/**
 * `redrive` throughput: BENCH_EVENTS (default 20,000) events refused by a custom schema's bug are in
 * the failed zone of a collector's local NDJSON lake; after the fix, `redrive` (a CLI process:
 * read the clean ids and the failed zone, turn rows back into events, post JSON batches of 500 with
 * synchronous validation) sends them through the collector again.
 * Baseline, same run and collector: posting the same events from this process as the same JSON
 * batches (what live traffic of that shape costs the collector). Both wait for the collector's
 * 200 answers only, not for the lake. value = redrive events/s, ratio = redrive / baseline.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { uuidV7 } from '@shopstream/shared';
import { freePort } from './support/local-process.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const BATCH = 500;
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');

const schema = (required: string[]) => JSON.stringify({
  'x-event': { name: 'Wishlist Shared', kind: 'track', version: '1.0.0' },
  type: 'object',
  properties: { properties: { type: 'object', properties: { wishlist_id: { type: 'string' } }, required } },
});
const events = () => Array.from({ length: EVENTS }, (_, i) => ({
  id: uuidV7(), type: 'Wishlist Shared', kind: 'track', anonymousId: `anon-${i % 500}`, timestamp: new Date().toISOString(),
  context: { page: { url: `https://shop.example/wishlist/${i}` }, locale: 'de-DE' }, properties: { wishlist_id: `w${i}`, items: i % 7 },
}));

async function post(url: string, batch: readonly object[]): Promise<void> {
  const res = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer bench-key', 'x-shopstream-validate': 'sync' }, body: JSON.stringify(batch) });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

async function postAll(url: string, all: readonly object[]): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < all.length; i += BATCH) await post(url, all.slice(i, i + BATCH));
  return performance.now() - started;
}

async function lakeLines(dir: string): Promise<number> {
  let n = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (entry.isFile() && entry.name.endsWith('.ndjson.gz')) n += gunzipSync(await readFile(join(entry.parentPath, entry.name))).toString().split('\n').filter(Boolean).length;
  }
  return n;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function main(): Promise<void> {
  if (!existsSync(cli)) spawnSync('npx', ['tsup'], { cwd: join(import.meta.dirname, '..'), stdio: 'inherit' });
  const dir = await mkdtemp(join(tmpdir(), 'bench-reprocess-'));
  const schemas = join(dir, 'schemas');
  await spawnSync('mkdir', ['-p', schemas]);
  await writeFile(join(schemas, 'wishlist-shared@1.0.0.json'), schema(['wishlist_ref']));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const configPath = join(dir, 'collector.json');
  await writeFile(configPath, JSON.stringify({
    log: { level: 'warn' }, wal: { dir: join(dir, 'wal') }, lake: { dir: join(dir, 'lake') },
    sources: [{ id: 'web', writeKey: 'bench-key' }], ingest: { schemas: { customDir: schemas, watch: false } },
    sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 200 } }],
  }));
  let child: ChildProcess | undefined;
  try {
    child = spawn(process.execPath, [cli, 'serve', '--config', configPath], { env: { ...process.env, PORT: String(port), SHOPSTREAM_LISTEN_HOST: '127.0.0.1' }, stdio: 'ignore' });
    await until(async () => (await fetch(`${url}/readyz`).then((r) => r.status, () => 0)) === 200, 'the collector');
    await postAll(url, events()); // refused by the bug: the failed zone to redrive
    await until(async () => (await lakeLines(join(dir, 'lake', 'failed'))) >= EVENTS, 'the failed zone');
    await writeFile(join(schemas, 'wishlist-shared@1.0.0.json'), schema([]));
    child.kill('SIGHUP'); // reload the fixed schema
    await new Promise((r) => setTimeout(r, 500));

    const baselineMs = await postAll(url, events()); // fresh ids: live traffic, same shape
    const started = performance.now();
    const run = spawnSync(process.execPath, [cli, 'redrive', '--config', configPath, '--collector', url], { encoding: 'utf8' });
    const redriveMs = performance.now() - started;
    if (run.status !== 0) throw new Error(run.stderr);
    const report = JSON.parse(run.stdout.trim()) as { sent: number; passed: number; rows: number };
    if (report.sent !== EVENTS || report.passed !== EVENTS) throw new Error(`redrive sent ${report.sent}, passed ${report.passed} of ${EVENTS}`);
    const value = Math.round(EVENTS / (redriveMs / 1000));
    const baseline = Math.round(EVENTS / (baselineMs / 1000));
    console.log(`${EVENTS} events: redrive ${Math.round(redriveMs)} ms (CLI process start, lake read, resend) vs live JSON batches ${Math.round(baselineMs)} ms`);
    console.log(JSON.stringify({ bench: 'reprocess', value, unit: 'events/s', baseline, ratio: Number((value / baseline).toFixed(2)) }));
  } finally {
    child?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
