/**
 * Snowplow's real trackers against a collector on the embedded default source (`dev`, key
 * `dev-key`): the trackers send no write key, so their app id `dev-key` names the source.
 * - `@snowplow/browser-tracker` in headless Chromium posts payload_data JSON to
 *   /com.snowplowanalytics.snowplow/tp2 (CORS preflight, `credentials: 'include'`);
 * - `@snowplow/node-tracker` posts the same, and with `eventMethod: 'get'` uses the /i pixel.
 * A page view and a self-describing event land in clean once with their `eid` as id; the
 * self-describing event is checked against its Iglu schema dropped into `ingest.schemas.customDir`
 * (registered as `com.acme/checkout_step` 1.0.0): one that breaks it lands in failed instead.
 * An answer lost on its way back makes the browser tracker resend and dedupe (by `eid`) keeps one
 * copy; with the collector killed for a while, each tracker's retry delivers everything once.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPageView, buildSelfDescribingEvent, newTracker, type Tracker } from '@snowplow/node-tracker';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLake } from '../support/collector-process.js';
import { expectCleanOnce } from './support/clean-once.js';
import { auditedDuplicates, loseAnswers } from './support/lost-answer.js';
import { openTrackerPage } from './support/tracker-page.js';
import { startTrackerRig, type TrackerRig } from './support/tracker-rig.js';

declare const sp: {
  trackPageView(event?: { title?: string }): void;
  trackSelfDescribingEvent(event: { event: { schema: string; data: Record<string, unknown> } }): void;
  flushBuffer(): void;
  eids: string[];
};

const CHECKOUT_STEP = 'iglu:com.acme/checkout_step/jsonschema/1-0-0';
const IGLU_SCHEMA = {
  $schema: 'http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#',
  description: 'A step of the checkout',
  self: { vendor: 'com.acme', name: 'checkout_step', format: 'jsonschema', version: '1-0-0' },
  type: 'object',
  properties: { step: { type: 'integer', minimum: 1 }, option: { type: 'string', maxLength: 64 } },
  required: ['step'],
  additionalProperties: false,
};

let schemaDir: string;
let rig: TrackerRig;
let page: Page;

beforeAll(async () => {
  schemaDir = await mkdtemp(join(tmpdir(), 'shopstream-iglu-'));
  await writeFile(join(schemaDir, 'com.acme-checkout_step-1-0-0.json'), JSON.stringify(IGLU_SCHEMA));
  // The same folder gives the lake its typed columns for the Iglu event (`schemasDir`).
  rig = await startTrackerRig('snowplow', { ingest: { schemas: { customDir: schemaDir, watch: false } }, sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 50 }, schemasDir: schemaDir }] });
  page = await openTrackerPage(rig.context, rig.shop.url, { collector: rig.collector.url, appId: 'dev-key' });
});
afterAll(async () => {
  await rig?.close();
  await rm(schemaDir, { recursive: true, force: true });
});

/** Ids in the clean zone, copies included. */
async function cleanIds(): Promise<string[]> {
  return (await readLake(rig.collector.lakeDir, 'clean')).map(({ value }) => value.id as string);
}

/** The failed-zone rows that mention `eid`, as text. */
async function failedRowsOf(eid: string): Promise<string[]> {
  return (await readLake(rig.collector.lakeDir, 'failed')).map(({ value }) => JSON.stringify(value)).filter((text) => text.includes(eid));
}

describe('@snowplow/browser-tracker → collector', () => {
  it('a page view and a self-describing event land in clean once with their eids, validated against the Iglu schema', async () => {
    const ids = await page.evaluate(() => {
      sp.trackPageView({ title: 'Cart' });
      sp.trackSelfDescribingEvent({ event: { schema: 'iglu:com.acme/checkout_step/jsonschema/1-0-0', data: { step: 2, option: 'express' } } });
      sp.trackSelfDescribingEvent({ event: { schema: 'iglu:com.acme/checkout_step/jsonschema/1-0-0', data: { step: 'two' } } });
      return sp.eids.slice(-3);
    });
    const [pageView, step, broken] = ids as [string, string, string];
    const clean = await expectCleanOnce(rig.collector.lakeDir, [pageView, step]);
    expect(clean.get(pageView)).toMatchObject({ type: 'Page Viewed', kind: 'page', source: 'dev', properties: { title: 'Cart' }, context: { library: { name: 'snowplow-js', version: '4.10.1' } } });
    expect(clean.get(step)).toMatchObject({ type: 'com.acme/checkout_step', kind: 'track', properties: { step: 2, option: 'express' } });
    // The tracker's base64 contexts (`cx`: its web_page context) are decoded and kept.
    expect(JSON.stringify(clean.get(pageView))).toContain('"schema":"iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"');
    expect(JSON.stringify(clean.get(step))).toContain('"version":"1.0.0"'); // the SchemaVer it was checked against
    await expect.poll(() => failedRowsOf(broken), { timeout: 10_000 }).toHaveLength(1);
    expect((await failedRowsOf(broken))[0]).toMatch(/COLLECTOR_SCHEMA_INVALID.*com\.acme\/checkout_step/);
  });

  it('an answer lost on its way back: the tracker resends, clean keeps one copy and the audit counts the duplicate', async () => {
    const before = await auditedDuplicates(rig.collector.lakeDir);
    const lose = await loseAnswers(rig.context, `${rig.collector.url}/com.snowplowanalytics.snowplow/tp2`, 1);
    try {
      const id = await page.evaluate(() => {
        sp.trackPageView({ title: 'Lost answer' });
        return sp.eids.at(-1)!;
      });
      await expect.poll(() => lose.lost(), { timeout: 10_000 }).toBe(1);
      // The event stayed in the tracker's queue: its next flush (one may still be finishing) resends it.
      await expect
        .poll(async () => (await page.evaluate(() => sp.flushBuffer()), auditedDuplicates(rig.collector.lakeDir)), { timeout: 10_000, intervals: [250] })
        .toBeGreaterThan(before);
      await expectCleanOnce(rig.collector.lakeDir, [id]);
    } finally {
      await lose.stop();
    }
  });

  it('collector down for a while, then up: every event tracked meanwhile lands once', async () => {
    await rig.collector.kill9();
    const ids = await page.evaluate(() => {
      for (let i = 0; i < 3; i++) sp.trackPageView({ title: `Offline ${i}` });
      sp.trackSelfDescribingEvent({ event: { schema: 'iglu:com.acme/checkout_step/jsonschema/1-0-0', data: { step: 3 } } });
      return sp.eids.slice(-4);
    });
    await new Promise((r) => setTimeout(r, 500)); // down this long, plus the restart itself
    rig.collector = await rig.collector.restart();
    // The tracker keeps failed events in its localStorage queue and sends them on its next flush
    // (a flush still running returns at once, so flush until all are in).
    await expect
      .poll(async () => (await page.evaluate(() => sp.flushBuffer()), (await cleanIds()).filter((id) => ids.includes(id)).length), { timeout: 30_000, intervals: [300] })
      .toBe(ids.length);
    await expectCleanOnce(rig.collector.lakeDir, ids);
  });
});

describe('@snowplow/node-tracker → collector', () => {
  // The pixel tracker sends its self-describing JSON unencoded (`ue_pr`), the POST one base64 (`ue_px`).
  const node = (eventMethod: 'post' | 'get'): Tracker =>
    newTracker({ namespace: `srv-${eventMethod}`, appId: 'dev-key', encodeBase64: eventMethod === 'post' }, { endpoint: rig.collector.url, eventMethod, bufferSize: 1, retryFailedRequests: true });
  const eid = (payload: unknown) => (payload as { eid: string }).eid;

  it('POST and the GET pixel: a page view and a self-describing event land in clean once with their eids; the key may come as a custom header', async () => {
    const ids: string[] = [];
    for (const method of ['post', 'get'] as const) {
      const tracker = node(method);
      ids.push(eid(tracker.track(buildPageView({ pageUrl: `https://shop.example/${method}`, pageTitle: 'Home' }))));
      ids.push(eid(tracker.track(buildSelfDescribingEvent({ event: { schema: CHECKOUT_STEP, data: { step: 1 } } }))));
      await tracker.flush();
    }
    // An app id of its own, the write key in a custom header instead.
    const keyed = newTracker({ namespace: 'srv-keyed', appId: 'storefront' }, { endpoint: rig.collector.url, bufferSize: 1, customHeaders: { 'X-Shopstream-Key': 'dev-key' } });
    ids.push(eid(keyed.track(buildPageView({ pageUrl: 'https://shop.example/keyed' }))));
    await keyed.flush();
    const clean = await expectCleanOnce(rig.collector.lakeDir, ids);
    expect(clean.get(ids[0]!)).toMatchObject({ type: 'Page Viewed', properties: { url: 'https://shop.example/post', path: '/post' }, context: { library: { name: 'snowplow-node' } } });
    expect(clean.get(ids[4]!)).toMatchObject({ source: 'dev', properties: { url: 'https://shop.example/keyed' } });
    expect(clean.get(ids[3]!)).toMatchObject({ type: 'com.acme/checkout_step', properties: { step: 1 } });
    const metrics = await (await fetch(`${rig.collector.url}/metrics`)).text();
    expect(metrics).toMatch(/route="\/com\.snowplowanalytics\.snowplow\/tp2",status="200"/);
    expect(metrics).toMatch(/route="\/i",status="200"/);
  });

  it('collector down for a while, then up: a flush after it is back delivers every event once', async () => {
    const tracker = node('post');
    await rig.collector.kill9();
    const ids = Array.from({ length: 4 }, (_, i) => eid(tracker.track(buildPageView({ pageUrl: `https://shop.example/offline-${i}` }))));
    await new Promise((r) => setTimeout(r, 500)); // down this long, plus the restart itself
    rig.collector = await rig.collector.restart();
    // A flush still running from the failed sends returns at once: flush until all are in.
    await expect
      .poll(async () => (await tracker.flush(), (await cleanIds()).filter((id) => ids.includes(id)).length), { timeout: 30_000, intervals: [300] })
      .toBe(ids.length);
    await expectCleanOnce(rig.collector.lakeDir, ids);
  });
});

describe('Snowplow requests the collector refuses', () => {
  const tp2 = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${rig.collector.url}/com.snowplowanalytics.snowplow/tp2`, { method: 'POST', headers: { 'content-type': 'application/json; charset=UTF-8', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const payload = (...data: object[]) => ({ schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4', data });
  const codeOf = async (res: Response) => ({ status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code });

  it('answers 4xx with a code for a body that is no payload_data, mixed or unknown app ids, and the wrong method', async () => {
    expect(await codeOf(await tp2({ events: [] }, { 'x-shopstream-key': 'dev-key' }))).toEqual({ status: 400, code: 'COLLECTOR_NOT_A_BATCH' });
    expect(await codeOf(await tp2(payload({ e: 'pv', eid: 'm-1', aid: 'dev-key' }, { e: 'pv', eid: 'm-2', aid: 'other-app' })))).toEqual({ status: 400, code: 'COLLECTOR_SNOWPLOW_MIXED_APP_IDS' });
    expect(await codeOf(await tp2(payload({ e: 'pv', eid: 'm-3', aid: 'no-such-app' })))).toEqual({ status: 401, code: 'COLLECTOR_AUTH_UNKNOWN_KEY' });
    expect(await codeOf(await fetch(`${rig.collector.url}/i?e=pv&eid=m-4`))).toEqual({ status: 401, code: 'COLLECTOR_UNAUTHORIZED' });
    const pixel = await fetch(`${rig.collector.url}/i?e=pv&eid=m-5&aid=dev-key&url=${encodeURIComponent('https://shop.example/img')}`);
    expect([pixel.status, pixel.headers.get('content-type'), Buffer.from(await pixel.arrayBuffer()).subarray(0, 6).toString()]).toEqual([200, 'image/gif', 'GIF89a']); // an <img> pixel renders
    expect(await codeOf(await fetch(`${rig.collector.url}/com.snowplowanalytics.snowplow/tp2`))).toEqual({ status: 405, code: 'COLLECTOR_METHOD_NOT_ALLOWED' });
  });

  it('refuses an event whose base64 does not decode alone: its neighbour (and a form-encoded event) lands, it goes to failed with its reason', async () => {
    const good = `good-${Date.now()}`;
    const bad = `bad-${Date.now()}`;
    const res = await tp2(payload({ e: 'pv', eid: good, aid: 'dev-key', url: 'https://shop.example/' }, { e: 'ue', eid: bad, aid: 'dev-key', ue_px: '%%%not-base64' }));
    expect(res.status).toBe(200);
    const form = `form-${Date.now()}`; // one event form-encoded, as some trackers and proxies post it
    const posted = await fetch(`${rig.collector.url}/com.snowplowanalytics.snowplow/tp2`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `e=se&eid=${form}&aid=dev-key&se_ca=shop&se_ac=clicked` });
    expect(posted.status).toBe(200);
    const clean = await expectCleanOnce(rig.collector.lakeDir, [good, form]);
    expect(clean.get(form)).toMatchObject({ type: 'clicked', properties: { category: 'shop', action: 'clicked' } });
    await expect.poll(() => failedRowsOf(bad), { timeout: 10_000 }).toHaveLength(1);
    expect((await failedRowsOf(bad))[0]).toContain('COLLECTOR_SNOWPLOW_BAD_EVENT');
  });
});
