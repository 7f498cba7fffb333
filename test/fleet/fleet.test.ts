// The fleet as processes: Debian nginx (least_conn, POSTs retried on the next collector on
// 502/503/connect errors) in front of three collector processes on loopback; Node SDK clients
// and a browser SDK client in Chromium send through nginx while one collector is kill -9'ed and
// restarted and another is drained with SIGTERM. Afterwards every event sent is in the clean
// zone of the collectors' lakes, and the audit records' counts agree with what arrived.
//
// Scale: NODE_CLIENTS × NODE_EVENTS + BROWSER_EVENTS (32,000 by default; FLEET_EVENTS_SCALE
// multiplies it, e.g. 6.25 for the 200,000 on a quiet machine).
// Not yet here (not wired into the collector's config when this was written): Redis dedupe shared
// by the fleet, and the Kinesis/S3 sinks. Without a shared deduper a batch that a collector
// fsynced but could not acknowledge before kill -9 is retried on another collector and can land
// twice, so duplicates are counted and reported, and bounded by what was in flight at the kill.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createClient } from '@shopstream/sdk/node';
import type * as BrowserSdk from '@shopstream/sdk/browser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newShopperContext, openShop } from '../browser/support/chromium.js';
import { startStaticServer, type StaticServer } from '../browser/support/static-server.js';
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

let root: string;
let collectors: CollectorProcess[] = [];
let nginx: Nginx;
let shop: StaticServer;
let browser: Browser;

interface LakeRecord {
  readonly collector: string;
  readonly zone: string;
  readonly record: any;
}

function readLake(collector: CollectorProcess, zone: 'clean' | 'audit' | 'failed'): LakeRecord[] {
  const zoneDir = join(collector.lakeDir, zone);
  let files: string[];
  try {
    files = readdirSync(zoneDir, { recursive: true }).map(String).filter((f) => f.endsWith('.ndjson.gz') && !f.split('/').at(-1)!.startsWith('.'));
  } catch {
    return [];
  }
  const out: LakeRecord[] = [];
  for (const file of files) {
    for (const line of gunzipSync(readFileSync(join(zoneDir, file))).toString('utf8').split('\n')) if (line) out.push({ collector: collector.name, zone, record: JSON.parse(line) });
  }
  return out;
}

/** The fixture shop puts the browser SDK on `window.sdk` (test/browser/fixtures/app.ts). */
type ShopWindow = { sdk: typeof BrowserSdk };

const keyOf = (event: any) => `${event.properties?.client}#${event.properties?.seq}`;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'shopstream-fleet-'));
  const config = { sources: [{ id: 'fleet', writeKey: WRITE_KEY }], cors: { origins: ['*'] }, log: { level: 'warn' }, delivery: { drainDeadlineMs: 20_000 } };
  collectors = await Promise.all(['collector-1', 'collector-2', 'collector-3'].map((name) => startCollectorProcess({ name, dir: mkdtempSync(join(root, `${name}-`)), config })));
  nginx = await startNginx(collectors.map((c) => c.port));
  [browser, shop] = await Promise.all([launchChromium(), startStaticServer()]);
});

afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await nginx?.stop();
  await Promise.all(collectors.map((c) => c.kill9().catch(() => undefined)));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('collector fleet behind nginx', () => {
  it('survives kill -9 of one collector and a SIGTERM drain of another: every event lands, audit counts agree', async () => {
    const started = Date.now();
    // Node SDK clients: the batch URL through nginx, events numbered per client.
    const nodeClients = Array.from({ length: NODE_CLIENTS }, () => createClient({ endpoint: `${nginx.url}/v1/batch`, writeKey: WRITE_KEY, retryBaseMs: 50, retryMaxMs: 1_000, flushIntervalMs: 200 }));
    const nodeSending = nodeClients.map(async (client, c) => {
      for (let seq = 0; seq < NODE_EVENTS; seq++) {
        await client.track('Product Viewed', { client: `node-${c}`, seq, product_id: `p-${seq % 50}`, price: 9.5, currency: 'EUR' }, { anonymousId: `anon-${c}-${seq % 100}` });
        if (seq % BURST_EVENTS === BURST_EVENTS - 1) await new Promise((resolve) => setTimeout(resolve, SEND_SPREAD_MS / (NODE_EVENTS / BURST_EVENTS)));
      }
      return client.close({ deadlineMs: 60_000 });
    });

    // A browser SDK client in Chromium, sending in chunks.
    const context = await newShopperContext(browser);
    const page = await openShop(context, shop.url, { endpoint: nginx.url, writeKey: WRITE_KEY, flushIntervalMs: 200, retryBaseMs: 100, retryMaxMs: 1_000 });
    const browserSending = (async () => {
      for (let from = 0; from < BROWSER_EVENTS; from += 250) {
        await page.evaluate(
          ([start, end]) => {
            for (let seq = start; seq < end; seq++) (window as unknown as ShopWindow).sdk.track('Product Added', { client: 'browser', seq, product_id: `p-${seq % 50}`, quantity: 1 });
          },
          [from, Math.min(BROWSER_EVENTS, from + 250)] as const,
        );
        await new Promise((resolve) => setTimeout(resolve, SEND_SPREAD_MS / (BROWSER_EVENTS / 250)));
      }
    })();

    let nodeSendingDone = false;
    void Promise.all(nodeSending).then(() => (nodeSendingDone = true));

    // Faults while the clients send: a crash (restarted 0.5 s later), then a graceful drain.
    await new Promise((resolve) => setTimeout(resolve, SEND_SPREAD_MS / 6));
    expect(nodeSendingDone, 'the clients finished before the faults: raise the event counts').toBe(false);
    await collectors[0]!.kill9();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await collectors[0]!.restart();
    await new Promise((resolve) => setTimeout(resolve, SEND_SPREAD_MS / 12));
    expect(nodeSendingDone, 'the clients finished before the drain: raise the event counts').toBe(false);
    expect(await collectors[1]!.stop(), collectors[1]!.output()).toBe(0);

    const closed = await Promise.all(nodeSending);
    expect(closed.map((result) => result.drained)).toEqual(nodeClients.map(() => true));
    await browserSending;
    await expect.poll(() => page.evaluate(() => (window as unknown as ShopWindow).sdk.getClient()!.queued()), { timeout: 60_000, interval: 250 }).toBe(0);
    await context.close();
    const sendMs = Date.now() - started;

    // Every event in a clean zone (the drained collector's lake counts: it stopped after catching up).
    const expected = new Set<string>();
    for (let c = 0; c < NODE_CLIENTS; c++) for (let seq = 0; seq < NODE_EVENTS; seq++) expected.add(`node-${c}#${seq}`);
    for (let seq = 0; seq < BROWSER_EVENTS; seq++) expected.add(`browser#${seq}`);
    let clean: LakeRecord[] = [];
    const deadline = Date.now() + LAND_TIMEOUT_MS;
    for (;;) {
      clean = collectors.flatMap((c) => readLake(c, 'clean'));
      const seen = new Set(clean.map((r) => keyOf(r.record)));
      if ([...expected].every((key) => seen.has(key)) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const counts = new Map<string, number>();
    for (const { record } of clean) counts.set(keyOf(record), (counts.get(keyOf(record)) ?? 0) + 1);
    const missing = [...expected].filter((key) => !counts.has(key));
    const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
    const perCollector = Object.fromEntries(collectors.map((c) => [c.name, clean.filter((r) => r.collector === c.name).length]));
    const upstreamErrors = (await nginx.errorLog()).split('\n').filter((line) => line.includes('upstream')).length;
    console.log(JSON.stringify({ fleetEvents: expected.size, sendMs, landedMs: Date.now() - started, duplicates, perCollector, nginxUpstreamErrors: upstreamErrors }));

    expect(missing.slice(0, 10), `${missing.length} of ${expected.size} missing`).toEqual([]);
    expect([...counts.keys()].filter((key) => !expected.has(key))).toEqual([]);
    // No batch lands twice through one collector (its replay overwrites), so duplicates can only be
    // batches retried on another collector around the kill: at most a few batches' worth.
    expect(duplicates).toBeLessThanOrEqual(NODE_CLIENTS * 4 * BURST_EVENTS + 4 * 100);
    // The load really was spread: each collector took a share.
    for (const c of collectors) expect(perCollector[c.name], c.name).toBeGreaterThan(0);

    // Audit: one record per accepted request; their `accepted` sums to what reached clean zones.
    const audit = collectors.flatMap((c) => readLake(c, 'audit')).map((r) => r.record).filter((r) => r.source === 'fleet');
    const acceptedSum = audit.reduce((sum, r) => sum + Number(r.accepted ?? 0), 0);
    expect(acceptedSum).toBe(clean.length);
    expect(audit.reduce((sum, r) => sum + Number(r.rejected ?? 0), 0)).toBe(0);
    expect(collectors.flatMap((c) => readLake(c, 'failed'))).toEqual([]);

    // The fleet still serves: through nginx, with collector-2 still down.
    const status = await fetch(`${nginx.url}/v1/status`);
    expect(status.status).toBe(200);
  });
});
