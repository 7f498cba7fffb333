/**
 * node-throughput: 500,000 `track()` calls until every event is acknowledged, against a bare
 * node:http server answering 204, for @shopstream/sdk/node and, in the same run, for Segment's
 * @segment/analytics-node. Each SDK runs in its own child process so peak RSS is its own.
 * Reports delivered events/s, p99 synchronous `track()` call latency and peak RSS per SDK.
 *
 * Both producers run the same loop: track, and every 5,000 events give the event loop one turn
 * (as a real service would between requests). Ours awaits `track()`, so it blocks at
 * `bufferedBytesMax` instead of growing; Segment's `track()` returns nothing to wait on.
 *
 * On a loaded machine either run may stop tracking early (TRACK_BUDGET_MS); each reports how
 * many events it tracked, and the rate is over exactly those.
 *
 * Usage: npm run bench -- node-throughput [events]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const EVENTS = Number(process.argv[2] ?? 500_000);
const YIELD_EVERY = 5_000;
/** Tracking stops early past this (the machine is shared; Segment needs minutes for 500k): rates stay comparable. */
const TRACK_BUDGET_MS = Number(process.env.SHOPSTREAM_BENCH_BUDGET_MS ?? 25_000);

interface ChildResult {
  readonly sdk: string;
  readonly events: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  readonly trackP50Us: number;
  readonly trackP99Us: number;
  readonly peakRssMb: number;
  readonly requests?: number;
}

function eventProperties(i: number): Record<string, unknown> {
  return {
    product_id: `sku-${i % 5000}`,
    name: 'Grüner Tee, lose, 100 g',
    category: 'Tea',
    brand: 'Teehaus',
    price: 4.5,
    currency: 'EUR',
    quantity: 1 + (i % 3),
    url: `https://shop.example/p/${i % 5000}`,
  };
}

function percentileUs(samples: Float64Array, p: number): number {
  const sorted = Float64Array.from(samples).sort();
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! * 100) / 100;
}

/**
 * The same loop for both SDKs: `track(i)` timed per call, one event-loop turn every YIELD_EVERY
 * events, stopping early past TRACK_BUDGET_MS.
 */
async function trackTimed(events: number, track: (i: number) => unknown): Promise<{ tracked: number; latencies: Float64Array; start: number }> {
  const latencies = new Float64Array(events);
  const start = performance.now();
  let tracked = 0;
  for (; tracked < events; tracked++) {
    if (tracked % YIELD_EVERY === 0 && tracked > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      if (performance.now() - start > TRACK_BUDGET_MS) break;
    }
    const t0 = performance.now();
    const accepted = track(tracked);
    latencies[tracked] = (performance.now() - t0) * 1000;
    if (accepted !== undefined) await accepted; // ours: a promise (backpressure); Segment's: nothing
  }
  return { tracked, latencies: latencies.subarray(0, tracked), start };
}

async function runOurs(endpoint: string, events: number): Promise<ChildResult> {
  const { createClient } = await import('../src/platform/node/index.js');
  const client = createClient({ endpoint, writeKey: 'bench-key' });
  const { tracked, latencies, start } = await trackTimed(events, (i) => client.track('Product Viewed', eventProperties(i), { userId: `u-${i % 1000}` }));
  await client.flush();
  const elapsedMs = performance.now() - start;
  const stats = client.stats();
  await client.close();
  if (stats.delivered !== tracked || stats.dropped !== 0) throw new Error(`ours delivered ${stats.delivered} of ${tracked}, dropped ${stats.dropped}`);
  return result('@shopstream/sdk/node', tracked, elapsedMs, latencies);
}

async function runSegment(endpoint: string, events: number): Promise<ChildResult> {
  const { Analytics } = await import('@segment/analytics-node');
  const url = new URL(endpoint);
  // Segment's batch size raised from its default 15 to 100 (its documented tuning knob), to be fair.
  const analytics = new Analytics({ writeKey: 'bench-key', host: url.origin, path: url.pathname, maxEventsInBatch: 100, flushInterval: 1000 });
  let failed = 0;
  analytics.on('error', () => failed++);
  const { tracked, latencies, start } = await trackTimed(events, (i) => analytics.track({ event: 'Product Viewed', userId: `u-${i % 1000}`, properties: eventProperties(i) }));
  await analytics.closeAndFlush({ timeout: 120_000 });
  const elapsedMs = performance.now() - start;
  if (failed > 0) throw new Error(`segment reported ${failed} errors`);
  return result('@segment/analytics-node', tracked, elapsedMs, latencies);
}

function result(sdk: string, events: number, elapsedMs: number, latencies: Float64Array): ChildResult {
  return {
    sdk,
    events,
    elapsedMs: Math.round(elapsedMs),
    eventsPerSecond: Math.round((events / elapsedMs) * 1000),
    trackP50Us: percentileUs(latencies, 0.5),
    trackP99Us: percentileUs(latencies, 0.99),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** The bare server: reads each body, counts events (frame header or JSON messageIds), answers 204. */
async function startBareServer(): Promise<{ server: Server; url: string; counted: () => { events: number; requests: number } }> {
  let events = 0;
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests++;
      if (body.length >= 24 && body.readUInt32LE(0) === 0x31425353) events += body.readUInt32LE(12);
      else events += countOccurrences(body.toString('utf8'), '"messageId"');
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/batch`;
  return { server, url, counted: () => ({ events, requests }) };
}

function countOccurrences(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) n++;
  return n;
}

function runChild(which: 'ours' | 'segment', endpoint: string, budgetMs = TRACK_BUDGET_MS): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', which, endpoint, String(EVENTS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SHOPSTREAM_BENCH_BUDGET_MS: String(budgetMs) },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${which} child exited ${code}: ${out}\n${err}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult);
    });
  });
}

/**
 * Ours against a real collector (built `collector/dist/cli.js`: WAL with fsync before each 200,
 * lake sink), with a 10 s tracking budget; informational, not part of the closing ratio.
 */
async function runAgainstCollector(): Promise<void> {
  const support = fileURLToPath(new URL('../../test/support/collector-process.ts', import.meta.url));
  if (!existsSync(fileURLToPath(new URL('../../collector/dist/cli.js', import.meta.url)))) {
    console.log('collector run skipped: build it with `cd collector && npx tsup`');
    return;
  }
  const { startCollectorProcess } = (await import(support)) as typeof import('../../test/support/collector-process.js');
  const collector = await startCollectorProcess({
    config: { sources: [{ id: 'bench', writeKey: 'bench-key' }], sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 200 } }] },
  });
  try {
    const child = await runChild('ours', `${collector.url}/v1/batch`, 10_000);
    console.log(JSON.stringify({ ...child, sdk: '@shopstream/sdk/node → real collector (WAL fsync, lake)' }));
  } finally {
    await collector.cleanup();
  }
}

async function main(): Promise<void> {
  const bare = await startBareServer();
  const results: ChildResult[] = [];
  for (const which of ['segment', 'ours'] as const) {
    const before = bare.counted();
    const child = await runChild(which, bare.url);
    const after = bare.counted();
    const received = after.events - before.events;
    if (received < child.events) throw new Error(`${which}: the server counted ${received} of ${child.events} events`);
    results.push({ ...child, requests: after.requests - before.requests });
    console.log(JSON.stringify({ ...child, requests: after.requests - before.requests, serverCountedEvents: received }));
  }
  bare.server.closeAllConnections();
  bare.server.close();
  await runAgainstCollector();
  const [segment, ours] = results as [ChildResult, ChildResult];
  console.log(
    `ours ${ours.eventsPerSecond} ev/s, p99 track ${ours.trackP99Us} µs, peak RSS ${ours.peakRssMb} MB | ` +
      `segment ${segment.eventsPerSecond} ev/s, p99 track ${segment.trackP99Us} µs, peak RSS ${segment.peakRssMb} MB | ` +
      `RSS ratio ${(ours.peakRssMb / segment.peakRssMb).toFixed(2)}`,
  );
  console.log(
    JSON.stringify({
      bench: 'node-throughput',
      value: ours.eventsPerSecond,
      unit: 'events/s',
      baseline: segment.eventsPerSecond,
      ratio: Math.round((ours.eventsPerSecond / segment.eventsPerSecond) * 100) / 100,
    }),
  );
}

if (process.argv[2] === '--child') {
  const [, which, endpoint, events] = process.argv.slice(2);
  const run = which === 'ours' ? runOurs : runSegment;
  const childResult = await run(endpoint!, Number(events));
  process.stdout.write(`${JSON.stringify(childResult)}\n`);
  process.exit(0);
} else {
  await main();
}
