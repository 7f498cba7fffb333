/**
 * Ingest with the WAL archive off, shipping in the background (`wal.archive`, `ack: local`) and
 * acknowledging only what the archive holds (`ack: replicated`), against s3rver in its own
 * process. Each run: a collector process (fsync always, no sinks, so the figures are the ack path
 * plus the archive), autocannon posting 100-event lz4 frames from this process.
 *
 * Modes interleave over BENCH_ROUNDS rounds (default 3) of BENCH_DURATION_SEC (default 4 s);
 * figures are medians. Reports req/s and p50/p99 acknowledgement latency per mode; for `local` also the recovery point
 * (longest an acknowledged byte was only on the local disk), for `replicated` requests per PUT.
 * s3rver runs on the same 2 cores (real S3 is remote): its CPU share is printed per run.
 * Closing line: value = replicated req/s, baseline = off req/s, ratio = replicated / off.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { encodeFrame, msgpackEncoding, uuidV7, type EventEnvelope } from '@shopstream/shared';
import { lz4Codec } from '@shopstream/shared/node';
import { freePort, waitReady } from './support/local-process.js';

const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const EVENTS_PER_BATCH = 100;
const BUCKET = 'bench-archive';
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
const s3rverPath = createRequire(import.meta.url).resolve('s3rver');

const S3RVER = `
const S3rver = require(process.env.S3RVER_PATH);
new S3rver({ address: '127.0.0.1', port: Number(process.env.PORT), silent: true, directory: process.env.DIR, configureBuckets: [{ name: '${BUCKET}' }] }).run();
`;

function events(count: number): EventEnvelope[] {
  return Array.from({ length: count }, (_, i) => ({
    id: uuidV7(),
    type: 'Product Viewed',
    kind: 'track',
    anonymousId: `anon-${i}`,
    sessionId: `sess-${i % 40}`,
    timestamp: new Date().toISOString(),
    context: { page: { url: `https://shop.example/products/${1000 + i}` }, locale: 'de-DE', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0' },
    properties: { product_id: `sku-${1000 + i}`, name: 'Green tea 100 g', price: 4.5 + (i % 10), currency: 'EUR', quantity: 1 + (i % 3) },
  }));
}


/** CPU seconds (user + system) a process used so far, from /proc (Linux). */
async function cpuSec(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Run {
  readonly mode: string;
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  /** CPU seconds s3rver (on the same cores) used during the measured run. */
  readonly s3CpuSec: number;
  readonly archive?: { partsShipped: number; recoveryPointMsMax: number; lagBytes: number };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  if (!existsSync(cli)) spawnSync('npx', ['tsup'], { cwd: join(import.meta.dirname, '..'), stdio: 'inherit' });
  const frame = Buffer.from(await encodeFrame(events(EVENTS_PER_BATCH), { codec: lz4Codec, encoding: msgpackEncoding }));
  const dir = await mkdtemp(join(tmpdir(), 'bench-archive-'));
  const s3Port = await freePort();
  await writeFile(join(dir, 's3rver.cjs'), S3RVER);
  const s3 = spawn(process.execPath, [join(dir, 's3rver.cjs')], { env: { ...process.env, PORT: String(s3Port), DIR: join(dir, 's3'), S3RVER_PATH: s3rverPath }, stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${s3Port}`;
  const runs: Run[] = [];
  try {
    await waitReady(endpoint, s3);
    const modes: [string, Record<string, unknown>][] = [
      ['off', {}],
      ['local', { archive: { bucket: BUCKET, prefix: 'wal', endpoint, region: 'us-east-1' } }],
      ['replicated', { archive: { bucket: BUCKET, prefix: 'wal', endpoint, region: 'us-east-1' }, ack: 'replicated' }],
    ];
    // All three collectors run side by side (an idle one costs nothing); rounds interleave the
    // modes and each figure is the median of ROUNDS, so a change in the machine's load between
    // runs shifts all modes alike instead of one.
    const collectors: { mode: string; url: string; child: ChildProcess }[] = [];
    try {
      for (const [mode, archive] of modes) {
        const port = await freePort();
        const configPath = join(dir, `${mode}.json`);
        await writeFile(configPath, JSON.stringify({ log: { level: 'warn' }, wal: { dir: join(dir, mode, 'wal'), ...archive }, sinks: [] }));
        const child = spawn(process.execPath, [cli, 'serve', '--config', configPath], {
          env: { ...process.env, PORT: String(port), AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' },
          stdio: 'ignore',
        });
        collectors.push({ mode, url: `http://127.0.0.1:${port}`, child });
        await waitReady(`http://127.0.0.1:${port}/readyz`, child);
      }
      const post = (url: string, duration: number) => autocannon({ url: `${url}/v1/batch`, method: 'POST', body: frame, headers: { 'content-type': 'application/vnd.shopstream.frame', authorization: 'Bearer dev-key' }, connections: CONNECTIONS, duration });
      for (const { url } of collectors) await post(url, 1); // warm-up: JIT, first segment, S3 connections
      const samples = new Map<string, { reqPerSec: number; p50Ms: number; p99Ms: number; non2xx: number; s3CpuSec: number; cpuUsPerRequest: number }[]>();
      for (let round = 0; round < ROUNDS; round++) {
        for (const { mode, url, child } of collectors) {
          const s3CpuBefore = await cpuSec(s3.pid!);
          const cpuBefore = await cpuSec(child.pid!);
          const result = await post(url, DURATION_SEC);
          const s3CpuSec = (await cpuSec(s3.pid!)) - s3CpuBefore;
          // The collector's own CPU per request: steadier than req/s when other work loads the machine.
          const cpuUsPerRequest = (((await cpuSec(child.pid!)) - cpuBefore) * 1e6) / Math.max(1, result.requests.total);
          samples.set(mode, [...(samples.get(mode) ?? []), { reqPerSec: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, non2xx: result.non2xx, s3CpuSec, cpuUsPerRequest }]);
          await new Promise((r) => setTimeout(r, 1_500)); // the last background round ships before the next mode runs
        }
      }
      for (const { mode, url } of collectors) {
        const status = (await (await fetch(`${url}/v1/status`)).json()) as { wal: { archive?: Run['archive'] } };
        const of = samples.get(mode)!;
        const run: Run = {
          mode,
          reqPerSec: median(of.map((x) => x.reqPerSec)),
          p50Ms: median(of.map((x) => x.p50Ms)),
          p99Ms: median(of.map((x) => x.p99Ms)),
          non2xx: of.reduce((sum, x) => sum + x.non2xx, 0),
          s3CpuSec: median(of.map((x) => x.s3CpuSec)),
          ...(status.wal.archive ? { archive: status.wal.archive } : {}),
        };
        runs.push(run);
        const requests = of.reduce((sum, x) => sum + x.reqPerSec * DURATION_SEC, 0);
        const extra = run.archive
          ? mode === 'local'
            ? `, recovery point max ${run.archive.recoveryPointMsMax} ms, ${run.archive.partsShipped} PUTs`
            : `, ${run.archive.partsShipped} PUTs, ${(requests / run.archive.partsShipped).toFixed(1)} requests per PUT`
          : '';
        console.log(`archive ${mode.padEnd(10)} ${Math.round(run.reqPerSec)} req/s (${Math.round(run.reqPerSec * EVENTS_PER_BATCH)} events/s), p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, non-2xx ${run.non2xx}, collector CPU ${Math.round(median(of.map((x) => x.cpuUsPerRequest)))} µs/request, s3rver CPU ${((run.s3CpuSec / DURATION_SEC) * 100).toFixed(0)} % [req/s per round: ${of.map((x) => Math.round(x.reqPerSec)).join(', ')}]${extra}`);
      }
    } finally {
      for (const { child } of collectors) child.kill('SIGKILL');
    }
  } finally {
    s3.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
  const off = runs.find((r) => r.mode === 'off')!;
  const replicated = runs.find((r) => r.mode === 'replicated')!;
  console.log(`p99 ack latency: off ${off.p99Ms} ms, local ${runs[1]!.p99Ms} ms, replicated ${replicated.p99Ms} ms`);
  console.log(JSON.stringify({ bench: 'archive', value: Math.round(replicated.reqPerSec), unit: 'req/s', baseline: Math.round(off.reqPerSec), ratio: Number((replicated.reqPerSec / off.reqPerSec).toFixed(3)) }));
}

await main();
