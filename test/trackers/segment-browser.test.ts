/**
 * The real `@segment/analytics-next` in headless Chromium with only `cdnURL` changed: it loads
 * its settings from the collector (which names itself as apiHost), posts page, track and identify
 * to the short routes (/v1/p, /v1/t, /v1/i) as text/plain with Basic auth (a CORS preflight from
 * the page's origin), and each lands in clean once with its messageId as the event id; with the
 * batching strategy, a tab closed early sends its batch to /v1/b as a keepalive fetch; an answer
 * lost on its way back makes it resend, and dedupe keeps one copy. Then the
 * collector is killed for a while: the library's retry delivers every event once it is back.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanOnce } from './support/clean-once.js';
import { expectLostAnswerResentOnce } from './support/lost-answer.js';
import { newShopperContext } from '../browser/support/chromium.js';
import { openTrackerPage } from './support/tracker-page.js';
import { startTrackerRig, type TrackerRig } from './support/tracker-rig.js';

type Ctx = { event: { messageId: string } };
declare const analytics: {
  page(category: string, name: string, properties?: object): Promise<Ctx>;
  track(event: string, properties?: object): Promise<Ctx>;
  identify(userId: string, traits?: object): Promise<Ctx>;
};

const WRITE_KEY = 'segment-web-key';
let rig: TrackerRig;
let page: Page;

beforeAll(async () => {
  rig = await startTrackerRig('segment', { sources: [{ id: 'shop-web', writeKey: WRITE_KEY }] });
  page = await openTrackerPage(rig.context, rig.shop.url, { collector: rig.collector.url, writeKey: WRITE_KEY });
});
afterAll(async () => {
  await rig?.close();
});

describe('@segment/analytics-next → collector', () => {
  it('takes its settings from the collector; page, track and identify land in clean once with their messageIds', async () => {
    const ids = await page.evaluate(async () => ({
      page: (await analytics.page('Shop', 'Home', { url: 'https://shop.example/' })).event.messageId,
      track: (await analytics.track('Product Viewed', { product_id: 'p-1', price: 4.5, currency: 'EUR' })).event.messageId,
      identify: (await analytics.identify('u-1', { plan: 'pro' })).event.messageId,
    }));
    const clean = await expectCleanOnce(rig.collector.lakeDir, Object.values(ids));
    expect(clean.get(ids.page)).toMatchObject({ type: 'Page Viewed', kind: 'page', source: 'shop-web', properties: { name: 'Home', category: 'Shop' } });
    expect(clean.get(ids.track)).toMatchObject({ type: 'Product Viewed', kind: 'track', properties: { product_id: 'p-1', price: 4.5 } });
    expect(clean.get(ids.identify)).toMatchObject({ type: 'Identify', kind: 'identify', userId: 'u-1', traits: { plan: 'pro' } });
    expect(clean.get(ids.track)!.context.library.name).toBe('analytics.js');
    // sentAt correction applied; the client's own time is kept (the lake files it under `extra`, no column names it).
    const track = clean.get(ids.track)!;
    expect(track.sentAt).toEqual(expect.any(String));
    expect(Date.parse(track.timestamp)).toBeLessThanOrEqual(Date.parse(track.receivedAt));
    expect(track.extra?.originalTimestamp ?? track.originalTimestamp).toEqual(expect.any(String));
    expect(clean.get(ids.track)).not.toHaveProperty('writeKey');
    const metrics = await (await fetch(`${rig.collector.url}/metrics`)).text();
    expect(metrics).toMatch(/route="\/v1\/projects\/:writeKey\/settings",status="200"/);
    expect(metrics).toMatch(/route="\/v1\/t",status="200"/);
    expect(metrics).not.toContain(WRITE_KEY); // a key in a path never becomes a label
  });

  it('batching strategy: a tab closed before its batch is due sends it with keepalive to /v1/b; it lands once', async () => {
    const batching = await newShopperContext(rig.browser);
    try {
      const options = { integrations: { 'Segment.io': { deliveryStrategy: { strategy: 'batching', config: { size: 50, timeout: 60_000 } } } } };
      const tab = await openTrackerPage(batching, rig.shop.url, { collector: rig.collector.url, writeKey: WRITE_KEY, options });
      const ids = await tab.evaluate(async () => [(await analytics.track('Cart Viewed', { cart_id: 'c-1' })).event.messageId, (await analytics.track('Checkout Started', { order_id: 'o-1' })).event.messageId]);
      await tab.close({ runBeforeUnload: true }); // pagehide: the pending batch goes out as a keepalive fetch
      await expectCleanOnce(rig.collector.lakeDir, ids);
      expect(await (await fetch(`${rig.collector.url}/metrics`)).text()).toMatch(/route="\/v1\/b",status="200"/);
    } finally {
      await batching.close();
    }
  });

  it('an answer lost on its way back: the library resends, clean keeps one copy and the audit counts the duplicate', async () => {
    await expectLostAnswerResentOnce(rig.context, rig.collector.lakeDir, `${rig.collector.url}/v1/t`, () => page.evaluate(async () => (await analytics.track('Coupon Applied', { coupon_id: 'c-10' })).event.messageId));
  });

  it('collector down for a while, then up: every event tracked meanwhile lands once', async () => {
    await rig.collector.kill9();
    const ids = await page.evaluate(async () => {
      const out: string[] = [];
      for (let i = 0; i < 5; i++) out.push((await analytics.track('Product Clicked', { product_id: `p-${i}` })).event.messageId);
      return out;
    });
    await new Promise((r) => setTimeout(r, 500)); // down this long, plus the restart itself
    rig.collector = await rig.collector.restart();
    await expectCleanOnce(rig.collector.lakeDir, ids, 30_000);
  });

  it('answers the settings only for a known write key', async () => {
    const unknown = await fetch(`${rig.collector.url}/v1/projects/not-a-key/settings`);
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('COLLECTOR_AUTH_UNKNOWN_KEY');
  });
});
