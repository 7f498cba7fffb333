/**
 * RudderStack's real SDKs against a collector, with only the URLs changed:
 * - `@rudderstack/analytics-js` v3 in headless Chromium loads its source config from the
 *   collector (`configUrl`), then posts page, track and identify to /v1/page, /v1/track,
 *   /v1/identify with Basic auth and its `AnonymousId` header (CORS preflight), or with
 *   `useBeacon` one text/plain batch to /beacon/v1/batch?writeKey=.
 * - `@rudderstack/rudder-sdk-node` posts gzip batches to /v1/batch with Basic auth.
 * Each event lands in clean once with its messageId as the id; an answer lost on its way back
 * makes the browser SDK resend and dedupe keeps one copy; with the collector killed for a while,
 * each SDK's retry delivers everything once it is back.
 */
import { randomUUID } from 'node:crypto';
import Analytics from '@rudderstack/rudder-sdk-node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newShopperContext } from '../browser/support/chromium.js';
import { expectCleanOnce } from './support/clean-once.js';
import { expectLostAnswerResentOnce } from './support/lost-answer.js';
import { openTrackerPage } from './support/tracker-page.js';
import { startTrackerRig, type TrackerRig } from './support/tracker-rig.js';

declare function send(call: 'track' | 'page' | 'identify', ...args: unknown[]): Promise<string>;

const WRITE_KEY = 'rudder-web-key';
let rig: TrackerRig;
let page: Page;

beforeAll(async () => {
  rig = await startTrackerRig('rudderstack', { sources: [{ id: 'shop-rudder', writeKey: WRITE_KEY }] });
  // Retries every 0.2–1 s (default 1–360 s) and more of them (default 10): the outage test stays
  // short, and a restart slowed by a busy machine cannot outlast the attempts.
  page = await openTrackerPage(rig.context, rig.shop.url, { collector: rig.collector.url, writeKey: WRITE_KEY, options: { queueOptions: { minRetryDelay: 200, maxRetryDelay: 1_000, maxAttempts: 100 } } });
});
afterAll(async () => {
  await rig?.close();
});

describe('@rudderstack/analytics-js → collector', () => {
  it('loads its source config from the collector; page, track and identify land in clean once with their messageIds', async () => {
    const ids = await page.evaluate(async () => ({
      page: await send('page', 'Shop', 'Home', { url: 'https://shop.example/' }),
      track: await send('track', 'Product Viewed', { product_id: 'p-1', price: 4.5 }),
      identify: await send('identify', 'u-1', { plan: 'pro' }),
    }));
    const clean = await expectCleanOnce(rig.collector.lakeDir, Object.values(ids));
    expect(clean.get(ids.page)).toMatchObject({ type: 'Page Viewed', kind: 'page', source: 'shop-rudder', properties: { name: 'Home', category: 'Shop' } });
    expect(clean.get(ids.track)).toMatchObject({ type: 'Product Viewed', kind: 'track', properties: { product_id: 'p-1', price: 4.5 } });
    expect(clean.get(ids.identify)).toMatchObject({ type: 'Identify', kind: 'identify', userId: 'u-1' });
    expect(clean.get(ids.track)!.context.library.name).toBe('RudderLabs JavaScript SDK');
    // Rudder sends originalTimestamp only: it is the client time the skew correction starts from.
    expect(Date.parse(clean.get(ids.track)!.timestamp)).toBeLessThanOrEqual(Date.parse(clean.get(ids.track)!.receivedAt));
    const metrics = await (await fetch(`${rig.collector.url}/metrics`)).text();
    expect(metrics).toMatch(/route="\/sourceConfig",status="200"/);
  });

  it('with useBeacon: a text/plain batch to /beacon/v1/batch lands once', async () => {
    const beaconContext = await newShopperContext(rig.browser);
    try {
      const beaconPage = await openTrackerPage(beaconContext, rig.shop.url, { collector: rig.collector.url, writeKey: WRITE_KEY, options: { useBeacon: true, beaconQueueOptions: { flushQueueInterval: 200 } } });
      const ids = await beaconPage.evaluate(async () => [await send('track', 'Cart Viewed', { cart_id: 'c-1' }), await send('track', 'Checkout Started', { order_id: 'o-1' })]);
      await expectCleanOnce(rig.collector.lakeDir, ids);
      expect(await (await fetch(`${rig.collector.url}/metrics`)).text()).toMatch(/route="\/beacon\/v1\/batch",status="200"/);
    } finally {
      await beaconContext.close();
    }
  });

  it('an answer lost on its way back: the SDK resends, clean keeps one copy and the audit counts the duplicate', async () => {
    await expectLostAnswerResentOnce(rig.context, rig.collector.lakeDir, `${rig.collector.url}/v1/track`, () => page.evaluate(() => send('track', 'Coupon Applied', { coupon_id: 'c-10' })));
  });

  it('collector down for a while, then up: every event tracked meanwhile lands once', async () => {
    await rig.collector.kill9();
    const ids = await page.evaluate(async () => Promise.all(Array.from({ length: 5 }, (_, i) => send('track', 'Product Clicked', { product_id: `p-${i}` }))));
    await new Promise((r) => setTimeout(r, 500)); // down this long, plus the restart itself
    rig.collector = await rig.collector.restart();
    await expectCleanOnce(rig.collector.lakeDir, ids, 30_000);
  });
});

describe('RudderStack source config', () => {
  it('answers it only for a known write key', async () => {
    const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });
    const known = await fetch(`${rig.collector.url}/sourceConfig/?p=npm&v=3.34.1`, { headers: basic(WRITE_KEY) });
    expect(await known.json()).toMatchObject({ source: { id: 'shop-rudder', enabled: true, destinations: [] } });
    const unknown = await fetch(`${rig.collector.url}/sourceConfig/?p=npm&v=3.34.1`, { headers: basic('not-a-key') });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('COLLECTOR_AUTH_UNKNOWN_KEY');
    // The SDK's ad-blocker probe (HEAD …/sourceConfig/?view=ad, no key) must not look blocked.
    expect((await fetch(`${rig.collector.url}/sourceConfig/?view=ad`, { method: 'HEAD' })).status).toBe(200);
  });
});

describe('@rudderstack/rudder-sdk-node → collector', () => {
  const track = (analytics: Analytics, event: string, properties: Record<string, string | number>) =>
    new Promise<string>((resolve, reject) => {
      const messageId = randomUUID();
      // The SDK keeps a messageId it is given (its types omit the field).
      analytics.track({ userId: 'u-9', event, properties, ...{ messageId } }, (error?: unknown) => (error ? reject(error) : resolve(messageId)));
    });

  it('gzip batches to /v1/batch land in clean once with their messageIds', async () => {
    const analytics = new Analytics(WRITE_KEY, { dataPlaneUrl: rig.collector.url, flushAt: 3, flushInterval: 100, logLevel: 'error' });
    const [a, b] = await Promise.all([track(analytics, 'Order Completed', { order_id: 'o-9', total: 12.5, currency: 'EUR' }), track(analytics, 'Product Viewed', { product_id: 'p-9' })]);
    await analytics.flush();
    const clean = await expectCleanOnce(rig.collector.lakeDir, [a, b]);
    expect(clean.get(a)).toMatchObject({ type: 'Order Completed', kind: 'track', userId: 'u-9', source: 'shop-rudder', context: { library: { name: 'analytics-node' } } });
  });

  it('collector down for a while, then up: its retries deliver every event once', async () => {
    // The SDK retries through axios-retry; every 300 ms for up to 30 s here (default: 3 tries, exponential).
    const analytics = new Analytics(WRITE_KEY, { dataPlaneUrl: rig.collector.url, flushAt: 5, flushInterval: 100, retryCount: 100, axiosRetryConfig: { retryDelay: () => 300 }, logLevel: 'error' });
    await rig.collector.kill9();
    const sent = Promise.all(Array.from({ length: 5 }, (_, i) => track(analytics, 'Product Clicked', { product_id: `n-${i}` })));
    await new Promise((r) => setTimeout(r, 500)); // down this long, plus the restart itself
    rig.collector = await rig.collector.restart();
    await expectCleanOnce(rig.collector.lakeDir, await sent, 30_000);
  });
});
