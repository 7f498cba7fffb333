import { CodecId } from '@shopstream/shared';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBrowserSink, type BrowserSink } from './support/browser-sink.js';
import { eventually, gotoShop, launchChromium, newShopperContext, openShop } from './support/chromium.js';
import { startStaticServer, type StaticServer } from './support/static-server.js';

type Sdk = typeof import('../../sdk/src/platform/browser/index.js');
declare const sdk: Sdk;

let browser: Browser;
let shop: StaticServer;
let sink: BrowserSink;
let context: BrowserContext;

beforeAll(async () => {
  [browser, shop] = await Promise.all([launchChromium(), startStaticServer()]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), shop?.close()]);
});
beforeEach(async () => {
  sink = await startBrowserSink({ writeKey: 'browser-key' });
  context = await newShopperContext(browser);
});
afterEach(async () => {
  await context?.close();
  await sink?.close();
});

const cfg = (extra: Record<string, unknown> = {}) => ({ endpoint: sink.url, writeKey: 'browser-key', flushIntervalMs: 200, retryBaseMs: 200, retryMaxMs: 1_000, ...extra });

/**
 * Asserts every id arrived exactly once by fetch (gzip frames). Beacons (identity frames) are
 * the page's unconfirmed last word: their copies are resent later by design and dropped by the
 * collector's dedupe, so they are counted apart.
 */
function expectExactlyOnce(ids: readonly string[]): void {
  const received = sink.batches.filter((b) => b.codec === CodecId.gzip).flatMap((b) => b.events.map((e) => e.id));
  const counts = new Map<string, number>();
  for (const id of received) counts.set(id, (counts.get(id) ?? 0) + 1);
  expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
  expect(received.length).toBe(ids.length);
}

describe('browser SDK delivery (real Chromium)', () => {
  it('sends gzip JSON frames with identity, session and page context', async () => {
    const page = await openShop(context, shop.url, cfg({ context: { app: 'fixture' } }));
    const ids = await page.evaluate(() => {
      sdk.identify('user-7', { plan: 'gold' });
      return [sdk.page(), sdk.track('Product Viewed', { sku: 'tea-1', price: 4.5 }), sdk.track('Product Added', { sku: 'tea-1' })];
    });
    expect(await eventually(() => sink.events().length >= 4, 10_000)).toBe(true);
    expect(sink.batches.every((b) => b.kind === 'frame' && b.writeKey === 'browser-key')).toBe(true);
    const events = sink.events();
    const viewed = events.find((e) => e.id === ids[1])!;
    expect(viewed).toMatchObject({ type: 'Product Viewed', kind: 'track', userId: 'user-7', properties: { sku: 'tea-1', price: 4.5 } });
    expect(viewed.anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(1);
    expect(new Set(events.map((e) => e.anonymousId)).size).toBe(1);
    expect(viewed.context).toMatchObject({ app: 'fixture', locale: expect.any(String), userAgent: expect.stringContaining('Chrome'), page: { path: '/', title: 'Fixture shop' }, screen: { width: expect.any(Number) } });
    expect(typeof viewed.sentAt).toBe('string');
    expect(events.find((e) => e.kind === 'identify')).toMatchObject({ userId: 'user-7', traits: { plan: 'gold' } });
    expect(await page.evaluate(() => sdk.getClient()!.queued())).toBe(0);
  });

  it('offline: 1,000 events survive a reload and arrive exactly once when back online', async () => {
    const page = await openShop(context, shop.url, cfg());
    await context.setOffline(true);
    const ids = await page.evaluate(async () => {
      const out: string[] = [];
      for (let i = 0; i < 1000; i++) out.push(sdk.track('Product Viewed', { i })!);
      return out;
    });
    expect(await page.evaluate(() => sdk.getClient()!.queued())).toBe(1000);
    // Offline, the shop itself reloads only from a cache (a service worker in real life):
    // Playwright answers the page requests here; the collector stays unreachable.
    const cached = new Map<string, { body: Buffer; contentType: string }>();
    for (const path of ['/', '/app.js']) {
      const response = await fetch(`${shop.url}${path}`);
      cached.set(path, { body: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? '' });
    }
    await context.route(`${shop.url}/**`, (route) => {
      const hit = cached.get(new URL(route.request().url()).pathname);
      return hit ? route.fulfill({ body: hit.body, contentType: hit.contentType }) : route.abort();
    });
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { sdkReady?: boolean }).sdkReady === true);
    expect(await page.evaluate(() => sdk.getClient()!.queued())).toBe(1000);
    expect(sink.events().length).toBe(0);
    await context.setOffline(false);
    await context.unrouteAll();
    expect(await eventually(() => sink.events().length >= 1000, 20_000)).toBe(true);
    expect(await eventually(async () => (await page.evaluate(() => sdk.getClient()!.queued())) === 0, 5_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 500)); // a late duplicate would show up here
    expectExactlyOnce(ids);
    expect(sink.batches.every((b) => b.events.length <= 100)).toBe(true);
  });

  it('collector down then up: backs off, then everything arrives', async () => {
    const port = sink.port;
    await sink.close();
    const page = await openShop(context, shop.url, cfg());
    const ids = await page.evaluate(() => Array.from({ length: 50 }, (_, i) => sdk.track('Checkout Step Viewed', { step: i })!));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await page.evaluate(() => sdk.getClient()!.queued())).toBe(50);
    sink = await startBrowserSink({ writeKey: 'browser-key', port });
    expect(await eventually(() => sink.events().length >= 50, 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expectExactlyOnce(ids);
  });

  it('honours Retry-After and keeps the backoff across a reload', async () => {
    sink.failWith(503, 2);
    const page = await openShop(context, shop.url, cfg());
    const ids = await page.evaluate(() => Array.from({ length: 5 }, (_, i) => sdk.track('Cart Viewed', { i })!));
    expect(await eventually(() => sink.requests() >= 1, 5_000)).toBe(true);
    const failedAt = Date.now();
    sink.failWith(undefined);
    await gotoShop(page, shop.url, cfg());
    const fetchedIds = () => sink.batches.filter((b) => b.codec === CodecId.gzip).flatMap((b) => b.events);
    expect(await eventually(() => fetchedIds().length >= 5, 8_000)).toBe(true);
    const fetched = sink.batches.filter((b) => b.codec === CodecId.gzip);
    expect(fetched.length).toBeGreaterThan(0);
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(1_500); // not before Retry-After, despite the reload
    expect(sink.requests() - (sink.batches.length - fetched.length)).toBe(2); // one refused, one accepted; beacons apart
    expectExactlyOnce(ids);
  });
});
