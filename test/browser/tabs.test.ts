import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventually, openShop } from './support/chromium.js';
import { useShopHarness } from './support/shop-harness.js';

type Sdk = typeof import('../../sdk/src/platform/browser/index.js');
declare const sdk: Sdk;

const h = useShopHarness();
const queued = (page: Page) => page.evaluate(() => sdk.queuedEvents(sdk.getClient()!));

/** Tracks `bursts` × `perBurst` events with a short pause between bursts, as a busy tab would. */
const trackBursts = (page: Page, tab: string, bursts: number, perBurst: number) =>
  page.evaluate(
    async ({ tab, bursts, perBurst }) => {
      const ids: string[] = [];
      for (let b = 0; b < bursts; b++) {
        for (let i = 0; i < perBurst; i++) ids.push(sdk.track('Product Viewed', { tab, b, i })!);
        await new Promise((r) => setTimeout(r, 20));
      }
      return ids;
    },
    { tab, bursts, perBurst },
  );

async function twoTabsExactlyOnce(context: BrowserContext): Promise<void> {
  const [a, b] = await Promise.all([openShop(context, h.shop.url, h.cfg({ flushIntervalMs: 100 })), openShop(context, h.shop.url, h.cfg({ flushIntervalMs: 100 }))]);
  expect(await a.evaluate(() => document.visibilityState)).toBe('visible'); // no beacons in play
  const [idsA, idsB] = await Promise.all([trackBursts(a, 'a', 20, 25), trackBursts(b, 'b', 20, 25)]);
  const ids = [...idsA, ...idsB];
  expect(new Set(ids).size).toBe(1000);
  expect(await eventually(() => h.fetchedIds().length >= 1000, 20_000)).toBe(true);
  expect(await eventually(async () => (await queued(a)) === 0 && (await queued(b)) === 0, 5_000)).toBe(true);
  await new Promise((r) => setTimeout(r, 500));
  h.expectExactlyOnce(ids);
  expect(h.sink.batches.filter((x) => x.codec !== 2)).toEqual([]);
  // Both tabs' events shared the one queue: some batches mix them.
  expect(h.sink.batches.some((x) => new Set(x.events.map((e) => (e.properties as { tab: string }).tab)).size === 2)).toBe(true);
}

describe('many tabs, one sender (real Chromium)', () => {
  it('two tabs tracking at once: none lost, none sent twice (Web Locks)', async () => {
    await twoTabsExactlyOnce(h.context);
  });

  it('two tabs tracking at once without Web Locks: the IndexedDB lease keeps one sender', async () => {
    await h.context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined }));
    const probe = await openShop(h.context, h.shop.url, undefined);
    expect(await probe.evaluate(() => navigator.locks)).toBeUndefined();
    await probe.close();
    await twoTabsExactlyOnce(h.context);
  });

  it('a tab closed right after tracking: its events arrive by beacon, and again on the next visit', async () => {
    const page = await openShop(h.context, h.shop.url, h.cfg({ flushIntervalMs: 60_000 }));
    const ids = await page.evaluate(() => Array.from({ length: 20 }, (_, i) => sdk.track('Product Clicked', { i })!));
    await page.close({ runBeforeUnload: true });
    expect(await eventually(() => ids.every((id) => h.sink.events().some((e) => e.id === id)), 5_000)).toBe(true);
    const beaconed = h.sink.batches.filter((b) => b.codec === 0);
    expect(beaconed.length).toBeGreaterThan(0);
    expect(h.fetchedIds()).toEqual([]);
    // A beacon proves nothing: the events stayed queued and the next visit sends them for real.
    const next = await openShop(h.context, h.shop.url, h.cfg());
    expect(await eventually(() => h.fetchedIds().length >= 20, 10_000)).toBe(true);
    expect(await eventually(async () => (await queued(next)) === 0, 5_000)).toBe(true);
    h.expectExactlyOnce(ids);
  });

  it('a tab closed offline: the beacon is lost, the next visit delivers', async () => {
    const page = await openShop(h.context, h.shop.url, h.cfg({ flushIntervalMs: 60_000 }));
    await h.context.setOffline(true);
    const ids = await page.evaluate(() => Array.from({ length: 10 }, (_, i) => sdk.track('Product Clicked', { i })!));
    await page.close({ runBeforeUnload: true });
    await new Promise((r) => setTimeout(r, 500));
    expect(h.sink.requests()).toBe(0);
    await h.context.setOffline(false);
    await openShop(h.context, h.shop.url, h.cfg());
    expect(await eventually(() => h.fetchedIds().length >= 10, 10_000)).toBe(true);
    h.expectExactlyOnce(ids);
  });

  it('a tab closed before IndexedDB committed its events: they are spilled and the next visit delivers them', async () => {
    const page = await openShop(h.context, h.shop.url, h.cfg({ flushIntervalMs: 60_000 }));
    // Hold the queue's object store in a readwrite transaction kept alive by back-to-back reads,
    // so the SDK's append waits behind it, as a slow first write does on a busy machine.
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('shopstream');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const store = open.result.transaction('queue', 'readwrite').objectStore('queue');
            const spin = () => void (store.get('~state').onsuccess = spin);
            spin();
            resolve();
          };
        }),
    );
    await h.context.setOffline(true); // no beacon gets out either
    const ids = await page.evaluate(() => Array.from({ length: 10 }, (_, i) => sdk.track('Product Clicked', { i })!));
    await new Promise((r) => setTimeout(r, 200));
    expect(await page.evaluate(() => localStorage.getItem('shopstream.spill'))).toBeNull(); // spilled only when the page goes
    await page.close({ runBeforeUnload: true });
    await new Promise((r) => setTimeout(r, 300));
    await h.context.setOffline(false);
    const next = await openShop(h.context, h.shop.url, h.cfg());
    expect(await eventually(() => h.fetchedIds().length >= 10, 10_000)).toBe(true);
    expect(await eventually(async () => (await queued(next)) === 0, 5_000)).toBe(true);
    h.expectExactlyOnce(ids);
    expect(await next.evaluate(() => localStorage.getItem('shopstream.spill'))).toBeNull();
  });

  it('queue full: the oldest events are dropped and the dropped count arrives', async () => {
    const page = await openShop(h.context, h.shop.url, h.cfg({ queueEventsMax: 50 }));
    await h.context.setOffline(true);
    const ids = await page.evaluate(() => Array.from({ length: 80 }, (_, i) => sdk.track('Product Viewed', { i })!));
    expect(await queued(page)).toBe(50);
    await h.context.setOffline(false);
    expect(await eventually(() => h.fetchedIds().length >= 50, 10_000)).toBe(true);
    expect(await eventually(async () => (await queued(page)) === 0, 5_000)).toBe(true);
    h.expectExactlyOnce(ids.slice(30)); // the newest 50
    const reported = h.sink.events().reduce((n, e) => n + (((e.context as { dropped?: number }).dropped) ?? 0), 0);
    expect(reported).toBe(30);
    // Reported once: the counter is reset after the 2xx.
    const more = await page.evaluate(() => sdk.track('Product Viewed', { i: 'after' })!);
    expect(await eventually(() => h.fetchedIds().includes(more), 5_000)).toBe(true);
    expect(h.sink.events().find((e) => e.id === more)!.context).not.toHaveProperty('dropped');
  });
});
