/**
 * The browser SDK against a REAL collector process (test/support/collector-process.ts: built
 * collector, temp WAL and lake): what lands in the lake's clean zone, after the collector's
 * dedupe, is what a shop counts. Offline + reload, a tab closed right after tracking (beacon,
 * then the resend on the next visit), and a full queue's dropped count.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readLake, startCollectorProcess, type CollectorProcess } from '../support/collector-process.js';
import { eventually, reloadFromCache, launchChromium, newShopperContext, openShop } from './support/chromium.js';
import { startStaticServer, type StaticServer } from './support/static-server.js';

type Sdk = typeof import('../../sdk/src/platform/browser/index.js');
declare const sdk: Sdk;

let browser: Browser;
let shop: StaticServer;
let collector: CollectorProcess;
let context: BrowserContext;

beforeAll(async () => {
  [browser, shop, collector] = await Promise.all([
    launchChromium(),
    startStaticServer(),
    startCollectorProcess({ config: { sources: [{ id: 'web', writeKey: 'browser-key' }], cors: { origins: ['*'] }, sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 50 } }] } }),
  ]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), shop?.close(), collector?.cleanup()]);
});
beforeEach(async () => {
  context = await newShopperContext(browser);
});
afterEach(async () => {
  await context?.close();
});

const cfg = (extra: Record<string, unknown> = {}) => ({ endpoint: collector.url, writeKey: 'browser-key', flushIntervalMs: 200, retryBaseMs: 200, retryMaxMs: 1_000, ...extra });
const queued = (page: Page) => page.evaluate(() => sdk.queuedEvents(sdk.getClient()!));

/** How often each of `ids` sits in the lake zone. */
async function lakeCounts(zone: 'raw' | 'clean', ids: readonly string[]): Promise<Map<string, number>> {
  const wanted = new Set(ids);
  const counts = new Map<string, number>();
  for (const { value } of await readLake(collector.lakeDir, zone)) {
    const id = value.id as string;
    if (wanted.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

async function expectCleanExactlyOnce(ids: readonly string[]): Promise<void> {
  expect(await eventually(async () => (await lakeCounts('clean', ids)).size === ids.length, 20_000, 200)).toBe(true);
  await new Promise((r) => setTimeout(r, 500)); // a late duplicate would land now
  const counts = await lakeCounts('clean', ids);
  expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
}

describe('browser SDK → real collector → lake', () => {
  it('offline: 1,000 events tracked, page reloaded, back online: each lands in the lake exactly once', async () => {
    const page = await openShop(context, shop.url, cfg());
    await context.setOffline(true);
    const ids = await page.evaluate(() => Array.from({ length: 1000 }, (_, i) => sdk.track('Product Viewed', { product_id: `p-${i}`, price: 4.5 })!));
    expect(await queued(page)).toBe(1000);
    await reloadFromCache(context, page, shop.url);
    expect(await queued(page)).toBe(1000);
    await context.setOffline(false);
    await context.unrouteAll();
    await expectCleanExactlyOnce(ids);
    expect(await eventually(async () => (await queued(page)) === 0, 5_000)).toBe(true);
  });

  it('a tab closed right after tracking: beacon now, resend on the next visit, one copy in the lake', async () => {
    const page = await openShop(context, shop.url, cfg({ flushIntervalMs: 60_000 }));
    const ids = await page.evaluate(() => Array.from({ length: 20 }, (_, i) => sdk.track('Product Clicked', { product_id: `p-${i}` })!));
    await page.close({ runBeforeUnload: true });
    await expectCleanExactlyOnce(ids); // by beacon
    const next = await openShop(context, shop.url, cfg());
    expect(await eventually(async () => (await queued(next)) === 0, 10_000)).toBe(true); // resent, acknowledged
    // The resend arrived and the collector's dedupe dropped it (its audit line counts them)...
    const audit = async () => (await readLake(collector.lakeDir, 'audit')).map((a) => a.value as { duplicates: number; accepted: number });
    expect(await eventually(async () => (await audit()).some((a) => a.duplicates === 20 && a.accepted === 0), 10_000, 200)).toBe(true);
    await expectCleanExactlyOnce(ids); // ...so the lake keeps one copy
  });

  it('queue full: the dropped count reaches the lake with the next batch', async () => {
    const page = await openShop(context, shop.url, cfg({ queueEventsMax: 40 }));
    await context.setOffline(true);
    const ids = await page.evaluate(() => Array.from({ length: 70 }, (_, i) => sdk.track('Product Viewed', { product_id: `q-${i}` })!));
    await context.setOffline(false);
    await expectCleanExactlyOnce(ids.slice(30));
    expect((await lakeCounts('raw', ids.slice(0, 30))).size).toBe(0);
    const lines = await readLake(collector.lakeDir, 'raw');
    const reported = lines.filter((l) => ids.includes(l.value.id as string)).reduce((n, l) => n + (((l.value.context as { dropped?: number }).dropped) ?? 0), 0);
    expect(reported).toBe(30);
  });
});
