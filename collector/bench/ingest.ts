/**
 * Ingest throughput of a real collector process (WAL fsync on, lake sink delivering) against a
 * bare node:http server that only reads the same bodies and answers 204, both driven by
 * autocannon from this process. Bodies: 100 e-commerce events of ~400 B, as an lz4/msgpack
 * frame and as gzip JSON. Also measures post-WAL processing (decode → stamp → emit) per core.
 *
 * Also: the same collector with delivery on the HTTP thread (`delivery.thread: main`), the ack
 * path alone (no sinks) with one flush at a time (the default) and two overlapping
 * (`wal.syncsInFlightMax: 2`), and how long the lake needs to catch up after the load stops;
 * and a floor server (FLOOR_SERVER: bare + group-committed write + fdatasync + JSON answer) that
 * shows what a durable ack costs on node:http before any collector code.
 *
 * Closing line: value = collector req/s for lz4 frames, baseline = bare req/s, ratio = value/baseline.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { encodeFrame, msgpackEncoding, uuidV7, type EventEnvelope } from '@shopstream/shared';
import { lz4Codec } from '@shopstream/shared/node';
import { encodeIngestRecord } from '../src/pipeline/ingest-record.js';
import { createProcessor } from '../src/pipeline/processor.js';
import { buildChain } from '../src/pipeline/chain/build-chain.js';
import { EVENT_VALUE_LIMITS_DEFAULT } from '../src/pipeline/limits/event-guard-stage.js';
import { freePort, waitReady } from './support/local-process.js';

const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 8);
// Many senders share one fsync (group commit): a collector faces hundreds of clients, not a few.
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const EVENTS_PER_BATCH = 100;
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');

function events(count: number): EventEnvelope[] {
  const types = ['Product Viewed', 'Product Added', 'Cart Viewed', 'Checkout Started', 'Order Completed'];
  return Array.from({ length: count }, (_, i) => ({
    id: uuidV7(),
    type: types[i % types.length]!,
    kind: 'track',
    anonymousId: `anon-${(i * 7919) % 5000}`,
    sessionId: `sess-${i % 40}`,
    timestamp: new Date(Date.now() - i * 250).toISOString(),
    context: { page: { url: `https://shop.example/products/${1000 + i}` }, locale: 'de-DE', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0' },
    properties: { product_id: `sku-${1000 + i}`, name: 'Green tea 100 g', price: 4.5 + (i % 10), currency: 'EUR', quantity: 1 + (i % 3) },
  }));
}


const BARE_SERVER = `
const http = require('node:http');
http.createServer({ keepAliveTimeout: 65000 }, (req, res) => {
  let n = 0;
  req.on('data', (c) => { n += c.length; });
  req.on('end', () => { res.writeHead(req.url === '/readyz' ? 200 : 204); res.end(); });
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

/**
 * The floor of a durable ack on node:http: the bare server plus what durability alone needs (a
 * native checksum over the body, group-committed write + fdatasync, a small JSON answer), and
 * nothing a collector must also do (auth, limits, frame check, record format, metrics,
 * backpressure, delivery). What the collector costs above this is its own code.
 */
const FLOOR_SERVER = `
const http = require('node:http');
const { crc32 } = require('node:zlib');
const { openSync, write, fdatasync } = require('node:fs');
const fd = openSync(process.env.FILE, 'w');
let position = 0, queue = [], running = false, ids = 0;
const writeAt = (buf, at) => new Promise((ok, fail) => write(fd, buf, 0, buf.length, at, (e) => (e ? fail(e) : ok())));
const sync = () => new Promise((ok, fail) => fdatasync(fd, (e) => (e ? fail(e) : ok())));
async function commit() {
  running = true;
  while (queue.length > 0) {
    const group = queue;
    queue = [];
    const buf = Buffer.concat(group.map((g) => g.record));
    await writeAt(buf, position);
    position += buf.length;
    await sync();
    for (const g of group) g.done();
  }
  running = false;
}
http.createServer({ keepAliveTimeout: 65000 }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/readyz') return res.end();
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const record = Buffer.allocUnsafe(8 + body.length);
    record.writeUInt32LE(body.length, 0);
    record.writeUInt32LE(crc32(body), 4);
    body.copy(record, 8);
    new Promise((done) => queue.push({ record, done })).then(() => {
      const text = JSON.stringify({ ok: true, requestId: String(ids++) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
    if (!running) void commit();
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

interface Run {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, body: Buffer, headers: Record<string, string>): Promise<Run> {
  const result = await autocannon({ url, method: 'POST', body, headers, connections: CONNECTIONS, duration: DURATION_SEC });
  return { reqPerSec: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

/** Group commit as /metrics saw it: fdatasyncs, their mean latency, requests per fdatasync. */
async function groupCommit(port: number, run: Run): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const count = value('shopstream_wal_fsync_seconds_count');
  const meanMs = (value('shopstream_wal_fsync_seconds_sum') / count) * 1000;
  return `${count} fdatasyncs, mean ${meanMs.toFixed(2)} ms, ${((run.reqPerSec * DURATION_SEC) / count).toFixed(1)} requests per fdatasync`;
}

/** Seconds until every sink's lag is 0 (at most 120 s). */
async function caughtUp(statusUrl: string): Promise<number> {
  const startMs = performance.now();
  while (performance.now() - startMs < 120_000) {
    const status = (await (await fetch(statusUrl)).json()) as { sinks: { lagBytes: number }[] };
    if (status.sinks.every((s) => s.lagBytes === 0)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return (performance.now() - startMs) / 1000;
}

async function main(): Promise<void> {
  if (!existsSync(cli)) spawnSync('npx', ['tsup'], { cwd: join(import.meta.dirname, '..'), stdio: 'inherit' });
  const batch = events(EVENTS_PER_BATCH);
  const lz4Frame = Buffer.from(await encodeFrame(batch, { codec: lz4Codec, encoding: msgpackEncoding }));
  const jsonText = Buffer.from(JSON.stringify({ batch }));
  const gzipJson = gzipSync(jsonText);
  console.log(`batch: ${EVENTS_PER_BATCH} events, JSON ${jsonText.length} B (${Math.round(jsonText.length / EVENTS_PER_BATCH)} B/event), lz4 frame ${lz4Frame.length} B, gzip JSON ${gzipJson.length} B`);

  // Post-WAL processing rate, one core (this process).
  const processor = createProcessor(buildChain({ purpose: 'deliver', decodedBytesMax: 8 << 20, eventsPerBatchMax: 2000, eventValue: EVENT_VALUE_LIMITS_DEFAULT, nodeId: 'bench' }));
  const walData = encodeIngestRecord({ v: 1, source: 'bench', receivedAtMs: Date.now(), requestId: 'r', contentKind: 'frame', body: lz4Frame });
  const rounds = 400;
  for (let i = 0; i < 50; i++) await processor.process({ lsn: i, nextLsn: i + 1, data: walData });
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) await processor.process({ lsn: i, nextLsn: i + 1, data: walData });
  const processEventsPerSec = (rounds * EVENTS_PER_BATCH) / ((performance.now() - t0) / 1000);
  console.log(`post-WAL processing (decode lz4+msgpack, stamp, emit raw/clean/audit JSON): ${Math.round(processEventsPerSec)} events/s on one core`);

  const bareDir = await mkdtemp(join(tmpdir(), 'bench-bare-'));
  const barePort = await freePort();
  await writeFile(join(bareDir, 'bare.cjs'), BARE_SERVER);
  const bare = spawn(process.execPath, [join(bareDir, 'bare.cjs')], { env: { ...process.env, PORT: String(barePort) }, stdio: 'ignore' });
  const floorPort = await freePort();
  await writeFile(join(bareDir, 'floor.cjs'), FLOOR_SERVER);
  const floor = spawn(process.execPath, [join(bareDir, 'floor.cjs')], { env: { ...process.env, PORT: String(floorPort), FILE: join(bareDir, 'floor.log') }, stdio: 'ignore' });
  const collectorDir = await mkdtemp(join(tmpdir(), 'bench-collector-'));
  const startCollector = async (name: string, env: Record<string, string> = {}) => {
    const port = await freePort();
    const child = spawn(process.execPath, [cli], {
      env: { ...process.env, PORT: String(port), SHOPSTREAM_WAL_DIR: join(collectorDir, name, 'wal'), SHOPSTREAM_LAKE_DIR: join(collectorDir, name, 'lake'), SHOPSTREAM_LOG_LEVEL: 'warn', SHOPSTREAM_WAL_FSYNC: 'always', ...env },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    await waitReady(`http://127.0.0.1:${port}/readyz`, child);
    return { child, port };
  };
  const { child: collector, port: collectorPort } = await startCollector('full');
  let ackOnly: ChildProcess | undefined;
  let overlapping: ChildProcess | undefined;
  let mainThread: ChildProcess | undefined;
  try {
    await waitReady(`http://127.0.0.1:${barePort}/readyz`, bare);
    const frameHeaders = { 'content-type': 'application/vnd.shopstream.frame', authorization: 'Bearer dev-key' };
    const jsonHeaders = { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: 'Bearer dev-key' };
    const bareRun = await load(`http://127.0.0.1:${barePort}/v1/batch`, lz4Frame, frameHeaders);
    await waitReady(`http://127.0.0.1:${floorPort}/readyz`, floor);
    const floorRun = await load(`http://127.0.0.1:${floorPort}/v1/batch`, lz4Frame, frameHeaders);
    floor.kill('SIGKILL');
    const lz4Run = await load(`http://127.0.0.1:${collectorPort}/v1/batch`, lz4Frame, frameHeaders);
    // Acknowledged is not delivered: how long the lake needs after the load stops tells a burst from a steady state.
    const catchUpSec = await caughtUp(`http://127.0.0.1:${collectorPort}/v1/status`);
    const jsonRun = await load(`http://127.0.0.1:${collectorPort}/v1/batch`, gzipJson, jsonHeaders);
    collector.kill('SIGKILL');
    // The same collector with delivery on the HTTP thread (delivery.thread: main, the design before the worker).
    const inThread = await startCollector('main-thread', { SHOPSTREAM_DELIVERY_THREAD: 'main' });
    mainThread = inThread.child;
    const mainThreadRun = await load(`http://127.0.0.1:${inThread.port}/v1/batch`, lz4Frame, frameHeaders);
    const mainThreadCatchUpSec = await caughtUp(`http://127.0.0.1:${inThread.port}/v1/status`);
    mainThread.kill('SIGKILL');
    // The acknowledgement path alone (no sinks, so no post-WAL work competes for the cores).
    const bare2 = await startCollector('ack-only', { SHOPSTREAM_SINKS: '[]' });
    ackOnly = bare2.child;
    const ackRun = await load(`http://127.0.0.1:${bare2.port}/v1/batch`, lz4Frame, frameHeaders);
    const ackCommits = await groupCommit(bare2.port, ackRun);
    ackOnly.kill('SIGKILL');
    // The same, two fdatasyncs overlapping (wal.syncsInFlightMax: 2).
    const overlap = await startCollector('ack-only-two-flushes', { SHOPSTREAM_SINKS: '[]', SHOPSTREAM_WAL_SYNCS_IN_FLIGHT_MAX: '2' });
    overlapping = overlap.child;
    const overlapRun = await load(`http://127.0.0.1:${overlap.port}/v1/batch`, lz4Frame, frameHeaders);
    const overlapCommits = await groupCommit(overlap.port, overlapRun);
    const report = (name: string, run: Run, bytes: number) =>
      console.log(
        `${name.padEnd(28)} ${Math.round(run.reqPerSec)} req/s  ${Math.round(run.reqPerSec * EVENTS_PER_BATCH)} events/s  ${((run.reqPerSec * bytes) / 1e6).toFixed(1)} MB/s  ack p50 ${run.p50Ms} ms  p99 ${run.p99Ms} ms  non-2xx ${run.non2xx}  errors ${run.errors}`,
      );
    report('bare node:http, lz4 frame', bareRun, lz4Frame.length);
    report('floor: bare + fdatasync, lz4', floorRun, lz4Frame.length);
    report('collector, lz4 frame', lz4Run, lz4Frame.length);
    report('collector, gzip JSON', jsonRun, gzipJson.length);
    report('collector, delivery in main', mainThreadRun, lz4Frame.length);
    report('collector ack path only, lz4', ackRun, lz4Frame.length);
    report('  same, 2 flushes overlapping', overlapRun, lz4Frame.length);
    console.log(`${'ack path only: group commit'.padEnd(28)} ${ackCommits}; 2 flushes overlapping: ${overlapCommits}`);
    const delivered = (name: string, run: Run, sec: number) => {
      const sustained = (run.reqPerSec * DURATION_SEC) / (DURATION_SEC + sec);
      console.log(`${name.padEnd(28)} lake caught up ${sec.toFixed(1)} s after the load stopped: ${Math.round(sustained)} req/s delivered over load + catch-up (${(sustained / bareRun.reqPerSec).toFixed(3)} of bare)`);
    };
    delivered('collector, lz4 frame', lz4Run, catchUpSec);
    delivered('collector, delivery in main', mainThreadRun, mainThreadCatchUpSec);
    console.log(
      `ratios to bare: floor ${(floorRun.reqPerSec / bareRun.reqPerSec).toFixed(3)}, collector ${(lz4Run.reqPerSec / bareRun.reqPerSec).toFixed(3)}, ack path only ${(ackRun.reqPerSec / bareRun.reqPerSec).toFixed(3)}; collector / floor ${(lz4Run.reqPerSec / floorRun.reqPerSec).toFixed(3)}`,
    );
    if (lz4Run.non2xx > 0 || jsonRun.non2xx > 0) console.log('note: non-2xx answers mean backpressure (503) engaged during the run');
    const ratio = lz4Run.reqPerSec / bareRun.reqPerSec;
    console.log(JSON.stringify({ bench: 'ingest', value: Math.round(lz4Run.reqPerSec), unit: 'req/s', baseline: Math.round(bareRun.reqPerSec), ratio: Number(ratio.toFixed(3)) }));
  } finally {
    bare.kill('SIGKILL');
    floor.kill('SIGKILL');
    collector.kill('SIGKILL');
    ackOnly?.kill('SIGKILL');
    overlapping?.kill('SIGKILL');
    mainThread?.kill('SIGKILL');
    await rm(bareDir, { recursive: true, force: true });
    await rm(collectorDir, { recursive: true, force: true });
  }
}

await main();
