// The fleet as processes: Debian nginx (least_conn, POSTs retried on the next collector on
// 502/503/connect errors) in front of three collector processes on loopback sharing one real
// redis-server for dedupe and writing to kinesalite (clean zone) and s3rver (every zone). Node
// SDK clients and a browser SDK client in Chromium send through nginx while one collector is
// kill -9'ed and restarted and another is drained with SIGTERM. Afterwards every event sent is
// in the S3 clean zone exactly once, in Kinesis at least once (duplicates reported), and the
// audit records' counts agree with what the clients sent.
//
// Scale: NODE_CLIENTS × NODE_EVENTS + BROWSER_EVENTS (at least 32,000; clients keep sending
// until the faults are over). FLEET_EVENTS_SCALE multiplies it (6.25 for the 200,000).
// All collectors share one S3 prefix, as in examples/fleet: object names start with each
// collector's node id, then its WAL positions, so collectors never overwrite each other's files.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createClient } from '@shopstream/sdk/node';
import type * as BrowserSdk from '@shopstream/sdk/browser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getObject, listKeys } from '../aws/s3-read.js';
import { readWholeStream } from '../aws/kinesis-read.js';
import { launchChromium, newShopperContext, openShop } from '../browser/support/chromium.js';
import { startStaticServer, type StaticServer } from '../browser/support/static-server.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startKinesalite, type KinesaliteServer } from '../support/kinesalite.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startS3rver, type S3rverServer } from '../support/s3rver.js';
import { startCollectorProcess, type CollectorProcess } from './support/collector-process.js';
import { startNginx, type Nginx } from './support/nginx.js';

const SCALE = Number(process.env.FLEET_EVENTS_SCALE ?? 1);
const NODE_CLIENTS = 2;
const NODE_EVENTS = Math.round(15_000 * SCALE);
const BROWSER_EVENTS = Math.round(2_000 * SCALE);
const WRITE_KEY = 'fleet-key';
const LAND_TIMEOUT_MS = 90_000;
/** Clients spread their events over this long, so the faults below hit live traffic. */
const SEND_SPREAD_MS = 12_000 * Math.max(1, SCALE);
const BURST_EVENTS = 500;

const STREAM = 'fleet-events';
const BUCKET = 'fleet-lake';
const PREFIX = 'lake';
const COLLECTOR_NAMES = ['collector-1', 'collector-2', 'collector-3'];

let root: string;
let redis: RedisServer;
let kinesis: KinesaliteServer;
let s3: S3rverServer;
let collectors: CollectorProcess[] = [];
let nginx: Nginx;
let shop: StaticServer;
let browser: Browser;

interface ZoneRecord {
  /** The collector that wrote the object (its node id starts the object's name). */
  readonly collector: string;
  readonly record: any;
}

/** Every record of one zone in the bucket, all collectors' objects; objects are read once. */
function createS3Reader() {
  const client = s3.client();
  const cache = new Map<string, ZoneRecord[]>();
  return async (zone: 'clean' | 'audit' | 'failed'): Promise<ZoneRecord[]> => {
    const out: ZoneRecord[] = [];
    for (const key of await listKeys(client, BUCKET)) {
      const [keyPrefix, keyZone] = key.split('/');
      if (keyPrefix !== PREFIX || keyZone !== zone || !key.endsWith('.ndjson.gz')) continue;
      const fileName = key.slice(key.lastIndexOf('/') + 1);
      const collector = COLLECTOR_NAMES.find((name) => fileName.startsWith(`${name}-`));
      if (!collector) throw new Error(`object ${key} does not start with a collector's node id`);
      let records = cache.get(key);
      if (!records) {
        records = gunzipSync(await getObject(client, BUCKET, key)).toString('utf8').split('\n').filter(Boolean).map((line) => ({ collector, record: JSON.parse(line) }));
        cache.set(key, records);
      }
      out.push(...records);
    }
    return out;
  };
}

/** The fixture shop puts the browser SDK on `window.sdk` (test/browser/fixtures/app.ts). */
type ShopWindow = { sdk: typeof BrowserSdk };

/** `client` and `seq` are no catalog properties: lake rows keep them in `extra`, Kinesis records as sent. */
const keyOf = (event: any) => {
  const props = event.extra?.properties ?? event.properties;
  return `${props?.client}#${props?.seq}`;
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'shopstream-fleet-'));
  [redis, kinesis, s3] = await Promise.all([startRedisServer(), startKinesalite(), startS3rver()]);
  await Promise.all([kinesis.createStream(STREAM, 2), s3.createBucket(BUCKET)]);
  const env = { AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: LOCAL_REGION };
  const config = (name: string) => ({
    sources: [{ id: 'fleet', writeKey: WRITE_KEY }],
    cors: { origins: ['*'] },
    log: { level: 'warn' },
    delivery: { drainDeadlineMs: 20_000 },
    ingest: { nodeId: name, dedupe: { store: 'redis', redisUrl: redis.url, failMode: 'closed' } },
    sinks: [
      { type: 'kinesis', name: 'kinesis', streamName: STREAM, region: LOCAL_REGION, endpoint: kinesis.endpoint },
      { type: 's3', name: 's3', bucket: BUCKET, prefix: PREFIX, region: LOCAL_REGION, endpoint: s3.endpoint, rollAgeMs: 500 },
    ],
    routing: [
      { sink: 'kinesis', zones: ['clean'] },
      { sink: 's3', zones: ['raw', 'clean', 'failed', 'audit'] },
    ],
  });
  collectors = await Promise.all(COLLECTOR_NAMES.map((name) => startCollectorProcess({ name, dir: mkdtempSync(join(root, `${name}-`)), config: config(name), env })));
  nginx = await startNginx(collectors.map((c) => c.port));
  [browser, shop] = await Promise.all([launchChromium(), startStaticServer()]);
});

afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await nginx?.stop();
  await Promise.all(collectors.map((c) => c.kill9().catch(() => undefined)));
  await Promise.all([redis?.stop(), kinesis?.stop(), s3?.stop()]);
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('collector fleet behind nginx', () => {
  it('survives kill -9 of one collector and a SIGTERM drain of another: S3 clean exactly once, Kinesis at least once, audit agrees', async () => {
    const started = Date.now();
    // Node SDK clients: the batch URL through nginx, events numbered per client.
    const nodeClients = Array.from({ length: NODE_CLIENTS }, () => createClient({ endpoint: `${nginx.url}/v1/batch`, writeKey: WRITE_KEY, retryBaseMs: 50, retryMaxMs: 1_000, flushIntervalMs: 200 }));
    // Clients keep sending (paced) until the faults are over and their quota is sent, so the
    // crash and the drain always hit live traffic however slow this machine is today.
    let faultsDone = false;
    const nodeSent = nodeClients.map(() => 0);
    const nodeSending = nodeClients.map(async (client, c) => {
      let seq = 0;
      for (; seq < NODE_EVENTS || !faultsDone; seq++) {
        await client.track('Product Viewed', { client: `node-${c}`, seq, product_id: `p-${seq % 50}`, price: 9.5, currency: 'EUR' }, { anonymousId: `anon-${c}-${seq % 100}` });
        if (seq % BURST_EVENTS === BURST_EVENTS - 1) await new Promise((resolve) => setTimeout(resolve, SEND_SPREAD_MS / (NODE_EVENTS / BURST_EVENTS)));
      }
      nodeSent[c] = seq;
      return client.close({ deadlineMs: 60_000 });
    });

    // A browser SDK client in Chromium, sending in chunks.
    const context = await newShopperContext(browser);
    const page = await openShop(context, shop.url, { endpoint: nginx.url, writeKey: WRITE_KEY, flushIntervalMs: 200, retryBaseMs: 100, retryMaxMs: 1_000 });
    let browserSent = 0;
    const browserSending = (async () => {
      const CHUNK = 250;
      for (let from = 0; from < BROWSER_EVENTS || !faultsDone; from += CHUNK) {
        await page.evaluate(
          ([start, end]) => {
            for (let seq = start; seq < end; seq++) (window as unknown as ShopWindow).sdk.track('Product Added', { client: 'browser', seq, product_id: `p-${seq % 50}`, quantity: 1 });
          },
          [from, from + CHUNK] as const,
        );
        browserSent = from + CHUNK;
        await new Promise((resolve) => setTimeout(resolve, SEND_SPREAD_MS / (BROWSER_EVENTS / CHUNK)));
      }
    })();

    // Faults while the clients send: a crash (restarted 0.5 s later), then a graceful drain.
    let drainExit: number | null;
    try {
      await new Promise((resolve) => setTimeout(resolve, SEND_SPREAD_MS / 6));
      await collectors[0]!.kill9();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await collectors[0]!.restart();
      await new Promise((resolve) => setTimeout(resolve, SEND_SPREAD_MS / 12));
      drainExit = await collectors[1]!.stop();
    } finally {
      faultsDone = true; // the clients finish their quota and stop
    }
    expect(drainExit, collectors[1]!.output()).toBe(0);

    const closed = await Promise.all(nodeSending);
    expect(closed.map((result) => result.drained)).toEqual(nodeClients.map(() => true));
    await browserSending;
    await expect.poll(() => page.evaluate(() => { const { sdk } = window as unknown as ShopWindow; return sdk.queuedEvents(sdk.getClient()!); }), { timeout: 60_000, interval: 250 }).toBe(0);
    await context.close();
    const sendMs = Date.now() - started;

    // Every event in the S3 clean zone (the drained collector's objects count: it stopped after catching up).
    const expected = new Set<string>();
    for (let c = 0; c < NODE_CLIENTS; c++) for (let seq = 0; seq < nodeSent[c]!; seq++) expected.add(`node-${c}#${seq}`);
    for (let seq = 0; seq < browserSent; seq++) expected.add(`browser#${seq}`);
    const readZone = createS3Reader();
    let clean: ZoneRecord[] = [];
    const deadline = Date.now() + LAND_TIMEOUT_MS;
    for (;;) {
      clean = await readZone('clean');
      const seen = new Set(clean.map((r) => keyOf(r.record)));
      if ([...expected].every((key) => seen.has(key)) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const counts = new Map<string, number>();
    for (const { record } of clean) counts.set(keyOf(record), (counts.get(keyOf(record)) ?? 0) + 1);
    const missing = [...expected].filter((key) => !counts.has(key));
    const s3Duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
    const perCollector = Object.fromEntries(collectors.map((c) => [c.name, clean.filter((r) => r.collector === c.name).length]));

    // Kinesis: at least once; a record is the clean event's JSON line.
    const kinesisCounts = new Map<string, number>();
    const kinesisDeadline = Date.now() + LAND_TIMEOUT_MS;
    for (;;) {
      kinesisCounts.clear();
      for (const { record } of await readWholeStream(kinesis.client(), STREAM)) {
        const key = keyOf(JSON.parse(Buffer.from(record.Data!).toString('utf8')));
        kinesisCounts.set(key, (kinesisCounts.get(key) ?? 0) + 1);
      }
      if ([...expected].every((key) => kinesisCounts.has(key)) || Date.now() > kinesisDeadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const kinesisMissing = [...expected].filter((key) => !kinesisCounts.has(key));
    const kinesisDuplicates = [...kinesisCounts.values()].reduce((sum, n) => sum + n - 1, 0);

    const audit = (await readZone('audit')).map((r) => r.record).filter((r) => r.source === 'fleet');
    const acceptedSum = audit.reduce((sum, r) => sum + Number(r.accepted ?? 0), 0);
    const auditDuplicates = audit.reduce((sum, r) => sum + Number(r.duplicates ?? 0), 0);
    const upstreamErrors = (await nginx.errorLog()).split('\n').filter((line) => line.includes('upstream')).length;
    console.log(JSON.stringify({ fleetEvents: expected.size, sendMs, landedMs: Date.now() - started, s3Duplicates, kinesisDuplicates, auditDuplicates, perCollector, nginxUpstreamErrors: upstreamErrors }));

    expect(missing.slice(0, 10), `${missing.length} of ${expected.size} missing in S3 clean`).toEqual([]);
    expect([...counts.keys()].filter((key) => !expected.has(key))).toEqual([]);
    expect(s3Duplicates, 'S3 clean holds each event exactly once').toBe(0);
    expect(kinesisMissing.slice(0, 10), `${kinesisMissing.length} of ${expected.size} missing in Kinesis`).toEqual([]);
    // The load really was spread: each collector took a share.
    for (const c of collectors) expect(perCollector[c.name], c.name).toBeGreaterThan(0);
    // Audit: accepted (after dedupe) sums to exactly what the clients sent; nothing refused.
    expect(acceptedSum).toBe(expected.size);
    expect(audit.reduce((sum, r) => sum + Number(r.rejected ?? 0), 0)).toBe(0);
    expect(await readZone('failed')).toEqual([]);

    // The fleet still serves: through nginx, with collector-2 still down.
    const status = await fetch(`${nginx.url}/v1/status`);
    expect(status.status).toBe(200);
  });
});
