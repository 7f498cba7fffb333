import { CodecId, createOpener, generateSealingKeyPair, type Opener } from '@shopstream/shared';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventually, openShop } from './support/chromium.js';
import { useShopHarness } from './support/shop-harness.js';

type Sdk = typeof import('../../sdk/src/platform/browser/index.js');
declare const sdk: Sdk;

const h = useShopHarness();

/** Everything the page has stored: first-party keys and IndexedDB databases. */
const storedState = (page: Page) =>
  page.evaluate(async () => ({
    localStorage: Object.keys(localStorage),
    cookies: document.cookie,
    databases: (await indexedDB.databases()).map((d) => d.name),
  }));

describe('consent, sampling, fallbacks (real Chromium)', () => {
  it("consent 'required': nothing stored or sent before grant; revoke clears the queue and stops", async () => {
    const page = await openShop(h.context, h.shop.url, h.cfg({ consent: 'required' }));
    expect(await page.evaluate(() => [sdk.track('Product Viewed', { sku: 'x' }), sdk.page(), sdk.identify('u1')])).toEqual([undefined, undefined, undefined]);
    await page.evaluate(() => sdk.flush());
    await new Promise((r) => setTimeout(r, 500));
    expect(await storedState(page)).toEqual({ localStorage: [], cookies: '', databases: [] });
    expect(h.sink.requests()).toBe(0);

    const granted = await page.evaluate(() => {
      sdk.consent.grant();
      return sdk.track('Product Viewed', { sku: 'y' })!;
    });
    expect(await eventually(() => h.fetchedIds().includes(granted), 5_000)).toBe(true);
    expect(h.sink.events()).toHaveLength(1);

    // Revoke while offline so the queue holds something to clear.
    await h.context.setOffline(true);
    await page.evaluate(() => sdk.track('Product Viewed', { sku: 'z' }));
    expect(await page.evaluate(() => sdk.queuedEvents(sdk.getClient()!))).toBe(1);
    await page.evaluate(() => sdk.consent.revoke());
    expect(await page.evaluate(() => sdk.queuedEvents(sdk.getClient()!))).toBe(0);
    expect((await storedState(page)).localStorage).toEqual([]);
    expect(await page.evaluate(() => sdk.track('Product Viewed', { sku: 'after' }))).toBeUndefined();
    await h.context.setOffline(false);
    await page.evaluate(() => sdk.flush());
    await new Promise((r) => setTimeout(r, 500));
    expect(h.sink.events()).toHaveLength(1);
  });

  it('consent granted once is remembered on the next page', async () => {
    const page = await openShop(h.context, h.shop.url, h.cfg({ consent: 'required' }));
    await page.evaluate(() => sdk.consent.grant());
    const next = await openShop(h.context, h.shop.url, h.cfg({ consent: 'required' }));
    const id = await next.evaluate(() => sdk.track('Product Viewed')!);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await eventually(() => h.fetchedIds().includes(id), 5_000)).toBe(true);
  });

  it('keeps the anonymous id in a first-party cookie where localStorage throws', async () => {
    await h.context.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', { get: () => { throw new DOMException('denied', 'SecurityError'); } });
    });
    const first = await openShop(h.context, h.shop.url, h.cfg());
    const a = await first.evaluate(() => sdk.track('Product Viewed')!);
    expect(await first.evaluate(() => document.cookie)).toMatch(/shopstream\.anonymousId=[0-9a-f-]{36}/);
    const second = await openShop(h.context, h.shop.url, h.cfg());
    const b = await second.evaluate(() => sdk.track('Product Viewed')!);
    expect(await eventually(() => h.fetchedIds().includes(a) && h.fetchedIds().includes(b), 5_000)).toBe(true);
    const [ea, eb] = [a, b].map((id) => h.sink.events().find((e) => e.id === id)!);
    expect(eb!.anonymousId).toBe(ea!.anonymousId);
    expect(eb!.sessionId).toBe(ea!.sessionId);
  });

  it('samples per event type and records the rate', async () => {
    const page = await openShop(h.context, h.shop.url, h.cfg({ sample: { 'Product Viewed': 0.25, 'Promotion Viewed': 0 } }));
    const kept = await page.evaluate(() => {
      const out = { viewed: 0, promo: 0, added: 0 };
      for (let i = 0; i < 400; i++) {
        if (sdk.track('Product Viewed', { i })) out.viewed += 1;
        if (sdk.track('Promotion Viewed', { i })) out.promo += 1;
        if (sdk.track('Product Added', { i })) out.added += 1;
      }
      return out;
    });
    expect(kept.promo).toBe(0);
    expect(kept.added).toBe(400);
    expect(kept.viewed).toBeGreaterThan(50); // 100 expected; 50..150 is beyond 5 standard deviations
    expect(kept.viewed).toBeLessThan(150);
    expect(await eventually(() => h.fetchedIds().length >= kept.viewed + kept.added, 10_000)).toBe(true);
    const events = h.sink.events();
    expect(events.filter((e) => e.type === 'Promotion Viewed')).toEqual([]);
    expect(events.filter((e) => e.type === 'Product Viewed').every((e) => (e.context as { sampleRate?: number }).sampleRate === 0.25)).toBe(true);
    expect(events.find((e) => e.type === 'Product Added')!.context).not.toHaveProperty('sampleRate');
  });

  it('names the campaign from UTM parameters, and leaves it out without them', async () => {
    const page = await openShop(h.context, h.shop.url, h.cfg());
    const ids = await page.evaluate(() => {
      const plain = sdk.track('Product Viewed')!;
      history.pushState(null, '', '/?utm_source=news&utm_campaign=spring&utm_term=tea&other=1');
      return { plain, tagged: sdk.track('Product Viewed')! };
    });
    expect(await eventually(() => h.sink.events().length >= 2, 5_000)).toBe(true);
    const context = (id: string) => h.sink.events().find((e) => e.id === id)!.context as { campaign?: unknown; page: { search: string } };
    expect(context(ids.plain)).not.toHaveProperty('campaign');
    expect(context(ids.tagged).campaign).toEqual({ source: 'news', name: 'spring', term: 'tea' });
    expect(context(ids.tagged).page.search).toBe('?utm_source=news&utm_campaign=spring&utm_term=tea&other=1');
  });

  it('without CompressionStream, posts plain JSON {batch:[...]}', async () => {
    await h.context.addInitScript(() => {
      delete (globalThis as { CompressionStream?: unknown }).CompressionStream;
    });
    const page = await openShop(h.context, h.shop.url, h.cfg());
    const ids = await page.evaluate(() => Array.from({ length: 30 }, (_, i) => sdk.track('Product Viewed', { i })!));
    expect(await eventually(() => h.sink.events().length >= 30, 5_000)).toBe(true);
    expect(h.sink.batches.every((b) => b.kind === 'json')).toBe(true);
    expect(h.sink.events().map((e) => e.id)).toEqual(ids);
  });

  it('seals frames with a Sealer; the collector opens them with its private key', async () => {
    const keys = await generateSealingKeyPair(7);
    const page = await openShop(h.context, h.shop.url, h.cfg({ seal: { keyId: 7, publicKeyJwk: keys.publicKeyJwk } }));
    const opener: Opener = createOpener({ keys: [{ keyId: 7, privateKeyJwk: keys.privateKeyJwk }] });
    h.sink.setOpener(opener);
    const ids = await page.evaluate(() => Array.from({ length: 10 }, (_, i) => sdk.track('Order Completed', { i, total: 99.5 })!));
    expect(await eventually(() => h.fetchedIds().length >= 10, 10_000)).toBe(true);
    expect(h.sink.batches.every((b) => b.sealed && b.codec === CodecId.gzip)).toBe(true);
    expect(h.sink.events().find((e) => e.id === ids[3])).toMatchObject({ type: 'Order Completed', properties: { i: 3, total: 99.5 } });
    h.expectExactlyOnce(ids);
  });
});
