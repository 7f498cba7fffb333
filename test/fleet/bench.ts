/**
 * Fleet bench: events/s through nginx + three collector processes vs one collector alone, and
 * end-to-end latency from `track()` to the event being readable in Kinesis, with an SVG
 * chart. Run: `cd test && npm run bench -- fleet` (prints the closing JSON line last).
 *
 * Throughput: pre-encoded frames (500 events each, lz4 + msgpack, as the Node SDK sends them)
 * posted with 8 requests in flight through undici, timed from the first send until every
 * collector's sinks report zero lag, so it counts WAL fsync, processing and lake writes, not
 * only acks. Encoding happens before the clock starts. All processes share this machine's cores,
 * so the fleet figure shows nginx + process overhead as much as scaling.
 * Latency: a second fleet (3 collectors behind nginx, shared redis-server dedupe, clean zone to
 * kinesalite) and a Node SDK client (flushIntervalMs 100) tracking 400 events/s for 4 s; every
 * shard is tailed from LATEST with GetRecords every 50 ms; latency = first read - track().
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { msgpackEncoding, encodeFrame, uuidV7, type EventEnvelope } from '@shopstream/shared';
import { lz4Codec } from '@shopstream/shared/node';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createClient, createUndiciTransport } from '@shopstream/sdk/node';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startKinesalite } from '../support/kinesalite.js';
import { startRedisServer } from '../support/redis-server.js';
import { startCollectorProcess, type CollectorProcess } from './support/collector-process.js';
import { startNginx, type Nginx } from './support/nginx.js';

const WRITE_KEY = 'bench-key';
const FRAMES = Number(process.env.BENCH_FRAMES ?? 120);
const EVENTS_PER_FRAME = 500;
const IN_FLIGHT = 8;
const LATENCY_RATE_PER_SEC = 400;
const LATENCY_SECONDS = 4;
const SVG_PATH = process.env.BENCH_SVG ?? join(import.meta.dirname, 'bench.svg');
const root = mkdtempSync(join(tmpdir(), 'shopstream-fleet-bench-'));

interface Fleet {
  readonly url: string;
  readonly collectors: CollectorProcess[];
  readonly nginx?: Nginx;
  stop(): Promise<void>;
}

async function startFleet(name: string, size: number, withNginx: boolean, extra: { config?: Record<string, unknown>; env?: Record<string, string> } = {}): Promise<Fleet> {
  const config = { sources: [{ id: 'bench', writeKey: WRITE_KEY }], log: { level: 'warn' }, ...extra.config };
  const collectors = await Promise.all(Array.from({ length: size }, (_, i) => startCollectorProcess({ name: `${name}-${i + 1}`, dir: mkdtempSync(join(root, `${name}-${i + 1}-`)), config, ...(extra.env ? { env: extra.env } : {}) })));
  const nginx = withNginx ? await startNginx(collectors.map((c) => c.port)) : undefined;
  return {
    url: nginx?.url ?? collectors[0]!.url,
    collectors,
    nginx,
    stop: async () => {
      await nginx?.stop();
      await Promise.all(collectors.map((c) => c.stop()));
    },
  };
}

function envelope(seq: number): EventEnvelope {
  return { id: uuidV7(), type: 'Product Viewed', timestamp: new Date().toISOString(), anonymousId: `anon-${seq % 1000}`, properties: { product_id: `p-${seq % 200}`, name: 'Morning Sencha', price: 12.5, currency: 'EUR', seq } };
}

async function lagged(fleet: Fleet): Promise<number> {
  let lag = 0;
  for (const c of fleet.collectors) {
    const status = (await (await fetch(`${c.url}/v1/status`)).json()) as { sinks: { lagRecords: number }[] };
    lag += status.sinks.reduce((sum, s) => sum + s.lagRecords, 0);
  }
  return lag;
}

async function throughput(fleet: Fleet, frames: readonly Uint8Array[]): Promise<number> {
  const transport = createUndiciTransport({ endpoint: `${fleet.url}/v1/batch`, connectionsMax: IN_FLIGHT });
  const headers = { 'Content-Type': 'application/vnd.shopstream.frame', Authorization: `Bearer ${WRITE_KEY}` };
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < frames.length) {
        const frame = frames[next++]!;
        for (;;) {
          const outcome = await transport.send(frame, headers, 30_000);
          if (outcome.status === 'success') break;
          if (outcome.status === 'failure') throw outcome.error;
          await new Promise((resolve) => setTimeout(resolve, outcome.retryAfterMs ?? 50));
        }
      }
    }),
  );
  while ((await lagged(fleet)) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (performance.now() - started) / 1000;
  await transport.close();
  return (frames.length * EVENTS_PER_FRAME) / seconds;
}

/** Tails every shard from LATEST; records the first time each `properties.seq` of `client` was read. */
async function tailKinesis(client: KinesisClient, streamName: string, tag: string) {
  const seenAt = new Map<number, number>();
  const shards = (await client.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  const iterators = await Promise.all(shards.map(async (shard) => (await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'LATEST' }))).ShardIterator));
  let running = true;
  const loops = iterators.map(async (first) => {
    let iterator = first;
    while (running && iterator !== undefined) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      const now = performance.now();
      for (const record of page.Records ?? []) {
        const event = JSON.parse(Buffer.from(record.Data!).toString('utf8'));
        if (event.properties?.client === tag && !seenAt.has(event.properties.seq)) seenAt.set(event.properties.seq, now);
      }
      iterator = page.NextShardIterator;
      if ((page.Records ?? []).length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  return {
    seenAt,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function latency(fleet: Fleet, kinesisClient: KinesisClient, streamName: string): Promise<number[]> {
  const client = createClient({ endpoint: `${fleet.url}/v1/batch`, writeKey: WRITE_KEY, flushIntervalMs: 100 });
  const tail = await tailKinesis(kinesisClient, streamName, 'latency');
  const trackedAt = new Map<number, number>();
  const total = LATENCY_RATE_PER_SEC * LATENCY_SECONDS;
  const started = performance.now();
  for (let seq = 0; seq < total; seq++) {
    const due = started + (seq * 1000) / LATENCY_RATE_PER_SEC;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    trackedAt.set(seq, performance.now());
    await client.track('Product Viewed', { client: 'latency', seq, product_id: `p-${seq % 50}` });
  }
  await client.close({ deadlineMs: 30_000 });
  const deadline = performance.now() + 30_000;
  while (tail.seenAt.size < total && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  await tail.stop();
  if (tail.seenAt.size < total) throw new Error(`only ${tail.seenAt.size} of ${total} latency events became readable in Kinesis`);
  return [...trackedAt].map(([seq, at]) => tail.seenAt.get(seq)! - at).sort((a, b) => a - b);
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function chart(single: number, fleetRate: number, latencies: readonly number[]): string {
  const W = 760;
  const H = 300;
  const bar = (label: string, value: number, y: number, max: number, color: string) => {
    const width = Math.max(2, (value / max) * 420);
    return `<text x="20" y="${y + 17}" font-size="13">${label}</text><rect x="150" y="${y}" width="${width.toFixed(1)}" height="24" rx="4" fill="${color}"/><text x="${(158 + width).toFixed(1)}" y="${y + 17}" font-size="13">${Math.round(value).toLocaleString('en')} events/s</text>`;
  };
  const max = Math.max(single, fleetRate);
  const maxMs = Math.max(1, latencies.at(-1)!);
  const points = latencies.map((ms, i) => `${(400 + (ms / maxMs) * 330).toFixed(1)},${(280 - (i / (latencies.length - 1)) * 150).toFixed(1)}`).join(' ');
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" fill="#1f2a1f">
<rect width="${W}" height="${H}" fill="#fbfaf6"/>
<text x="20" y="28" font-size="16" font-weight="700">Throughput, sent until every sink caught up (${(FRAMES * EVENTS_PER_FRAME).toLocaleString('en')} events)</text>
${bar('1 collector', single, 44, max, '#8a9886')}
${bar('3 + nginx', fleetRate, 76, max, '#3f7d3a')}
<text x="20" y="140" font-size="16" font-weight="700">track() → readable in Kinesis (3 + nginx)</text>
<text x="20" y="165" font-size="13">p50 ${Math.round(p50)} ms</text>
<text x="20" y="185" font-size="13">p99 ${Math.round(p99)} ms</text>
<text x="20" y="205" font-size="13">${latencies.length.toLocaleString('en')} events, ${LATENCY_RATE_PER_SEC}/s</text>
<text x="20" y="225" font-size="11" fill="#6b7468">cumulative share of events (y) by latency (x)</text>
<line x1="400" y1="280" x2="730" y2="280" stroke="#6b7468"/><line x1="400" y1="130" x2="400" y2="280" stroke="#6b7468"/>
<text x="400" y="296" font-size="11">0</text><text x="700" y="296" font-size="11">${Math.round(maxMs)} ms</text>
<polyline points="${points}" fill="none" stroke="#3f7d3a" stroke-width="2"/>
</svg>
`;
}

async function main(): Promise<void> {
  const frames: Uint8Array[] = [];
  for (let f = 0; f < FRAMES; f++) {
    frames.push(await encodeFrame(Array.from({ length: EVENTS_PER_FRAME }, (_, i) => envelope(f * EVENTS_PER_FRAME + i)), { codec: lz4Codec, encoding: msgpackEncoding }));
  }
  let single: number;
  {
    const fleet = await startFleet('single', 1, false);
    try {
      single = await throughput(fleet, frames);
    } finally {
      await fleet.stop();
    }
  }
  let fleetRate: number;
  {
    const fleet = await startFleet('fleet', 3, true);
    try {
      fleetRate = await throughput(fleet, frames);
    } finally {
      await fleet.stop();
    }
  }
  let latencies: number[];
  {
    const [redis, kinesis] = await Promise.all([startRedisServer(), startKinesalite()]);
    const streamName = 'bench-events';
    await kinesis.createStream(streamName, 2);
    const fleet = await startFleet('latency', 3, true, {
      config: {
        ingest: { dedupe: { store: 'redis', redisUrl: redis.url } },
        sinks: [{ type: 'kinesis', name: 'kinesis', streamName, region: LOCAL_REGION, endpoint: kinesis.endpoint }],
        routing: [{ sink: 'kinesis', zones: ['clean'] }],
      },
      env: { AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: LOCAL_REGION },
    });
    try {
      latencies = await latency(fleet, kinesis.client(), streamName);
    } finally {
      await fleet.stop();
      await Promise.all([redis.stop(), kinesis.stop()]);
    }
  }
  writeFileSync(SVG_PATH, chart(single, fleetRate, latencies));
  const p50Ms = Math.round(percentile(latencies, 50));
  const p99Ms = Math.round(percentile(latencies, 99));
  console.log(`1 collector: ${Math.round(single)} events/s; 3 collectors + nginx: ${Math.round(fleetRate)} events/s; track() → Kinesis p50 ${p50Ms} ms, p99 ${p99Ms} ms; chart: ${SVG_PATH}`);
  console.log(JSON.stringify({ bench: 'fleet-throughput', value: Math.round(fleetRate), unit: 'events/s', baseline: Math.round(single), ratio: Number((fleetRate / single).toFixed(2)), latencyP50Ms: p50Ms, latencyP99Ms: p99Ms }));
}

try {
  await main();
} finally {
  rmSync(root, { recursive: true, force: true });
}
