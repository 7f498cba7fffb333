import { CodecId } from '@shopstream/shared';
import { describe, expect, it } from 'vitest';
import { eventually, reloadFromCache, gotoShop, openShop } from './support/chromium.js';
import { useShopHarness } from './support/shop-harness.js';

type Sdk = typeof import('../../sdk/src/platform/browser/index.js');
declare const sdk: Sdk;

const h = useShopHarness();
const queued = (page: import('playwright-core').Page) => page.evaluate(() => sdk.queuedEvents(sdk.getClient()!));

describe('browser SDK delivery (real Chromium)', () => {
  it('sends gzip JSON frames with identity, session and page context', async () => {
    const page = await openShop(h.context, h.shop.url, h.cfg({ context: { app: 'fixture' } }));
    const ids = await page.evaluate(() => {
      sdk.identify('user-7', { plan: 'gold' });
      return [sdk.page(), sdk.track('Product Viewed', { sku: 'tea-1', price: 4.5 }), sdk.track('Product Added', { sku: 'tea-1' })];
    });
    expect(await eventually(() => h.sink.events().length >= 4, 10_000)).toBe(true);
    expect(h.sink.batches.every((b) => b.kind === 'frame' && b.codec === CodecId.gzip && b.writeKey === 'browser-key')).toBe(true);
    const events = h.sink.events();
    const viewed = events.find((e) => e.id === ids[1])!;
    expect(viewed).toMatchObject({ type: 'Product Viewed', kind: 'track', userId: 'user-7', properties: { sku: 'tea-1', price: 4.5 } });
    expect(viewed.anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(1);
    expect(new Set(events.map((e) => e.anonymousId)).size).toBe(1);
    expect(viewed.context).toMatchObject({
      app: 'fixture',
      locale: expect.any(String),
      userAgent: expect.stringContaining('Chrome'),
      page: { path: '/', title: 'Fixture shop' },
      screen: { width: expect.any(Number) },
      library: { name: '@shopstream/sdk/browser' },
    });
    expect(typeof viewed.sentAt).toBe('string');
    expect(events.find((e) => e.kind === 'identify')).toMatchObject({ userId: 'user-7', traits: { plan: 'gold' } });
    expect(await queued(page)).toBe(0);
  });

  it('offline: 1,000 events survive a reload and arrive exactly once when back online', async () => {
    const page = await openShop(h.context, h.shop.url, h.cfg());
    await h.context.setOffline(true);
    const ids = await page.evaluate(() => Array.from({ length: 1000 }, (_, i) => sdk.track('Product Viewed', { i })!));
    expect(await queued(page)).toBe(1000);
    await reloadFromCache(h.context, page, h.shop.url);
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    expect(await queued(page)).toBe(1000);
    expect(h.sink.requests()).toBe(0);
    await h.context.setOffline(false);
    await h.context.unrouteAll();
    expect(await eventually(() => h.sink.events().length >= 1000, 20_000)).toBe(true);
    expect(await eventually(async () => (await queued(page)) === 0, 5_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 500)); // a late duplicate would show up here
    h.expectExactlyOnce(ids);
    expect(h.sink.batches.every((b) => b.events.length <= 100)).toBe(true);
  });

  it('collector down then up: backs off, then everything arrives', async () => {
    await h.stopSink();
    const page = await openShop(h.context, h.shop.url, h.cfg());
    const ids = await page.evaluate(() => Array.from({ length: 50 }, (_, i) => sdk.track('Checkout Step Viewed', { step: i })!));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await queued(page)).toBe(50);
    await h.restartSink();
    expect(await eventually(() => h.sink.events().length >= 50, 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    h.expectExactlyOnce(ids);
  });

  it('401 for a while (the write key refused): nothing dropped, SDK_UNAUTHORIZED once, all arrive once the key is accepted', async () => {
    h.sink.failWith(401);
    const page = await openShop(h.context, h.shop.url, h.cfg());
    const ids = await page.evaluate(() => Array.from({ length: 30 }, (_, i) => sdk.track('Checkout Step Viewed', { step: i })!));
    expect(await eventually(() => h.sink.requests() >= 3, 10_000)).toBe(true); // refused, backed off, refused again
    expect(await queued(page)).toBe(30);
    expect(await page.evaluate(() => window.sdkErrors.map((e) => e.code))).toEqual(['SDK_UNAUTHORIZED']); // once per episode
    h.sink.failWith(undefined); // the key is accepted again (fixed on the collector)
    expect(await eventually(() => h.fetchedIds().length >= 30, 10_000)).toBe(true);
    expect(await eventually(async () => (await queued(page)) === 0, 5_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    h.expectExactlyOnce(ids);
    expect(h.sink.events().some((e) => (e.context as { dropped?: number } | undefined)?.dropped)).toBe(false); // nothing counted as dropped
  });

  it('honours Retry-After and keeps the backoff across a reload', async () => {
    h.sink.failWith(503, 2);
    const page = await openShop(h.context, h.shop.url, h.cfg());
    const ids = await page.evaluate(() => Array.from({ length: 5 }, (_, i) => sdk.track('Cart Viewed', { i })!));
    expect(await eventually(() => h.sink.requests() >= 1, 5_000)).toBe(true);
    const failedAt = Date.now();
    // Reload only once the page has read the 503 and stored its backoff (a page unloaded while
    // the answer is still on its way cannot know it).
    const storedRetry = () =>
      page.evaluate(
        () =>
          new Promise<boolean>((resolve) => {
            const open = indexedDB.open('shopstream');
            open.onsuccess = () => {
              const get = open.result.transaction('queue', 'readonly').objectStore('queue').get('~state');
              get.onsuccess = () => resolve((get.result?.notBeforeMs ?? 0) > 0);
              get.onerror = () => resolve(false);
            };
            open.onerror = () => resolve(false);
          }),
      );
    expect(await eventually(storedRetry, 5_000)).toBe(true);
    h.sink.failWith(undefined);
    await gotoShop(page, h.shop.url, h.cfg());
    expect(await eventually(() => h.fetchedIds().length >= 5, 8_000)).toBe(true);
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(1_500); // not before Retry-After, despite the reload
    const beaconRequests = h.sink.batches.filter((b) => b.codec === CodecId.identity).length;
    expect(h.sink.requests() - beaconRequests).toBe(2); // one refused, one accepted
    h.expectExactlyOnce(ids);
  });
});
