/**
 * Per-file setup of the browser tests: one Chromium and one fixture-shop server per file, a
 * fresh browser context (profile) and a fresh sink per test, all closed afterwards.
 */
import { CodecId } from '@shopstream/shared';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { startBrowserSink, type BrowserSink } from './browser-sink.js';
import { launchChromium, newShopperContext, type FixtureConfig } from './chromium.js';
import { startStaticServer, type StaticServer } from './static-server.js';

export const WRITE_KEY = 'browser-key';

export interface ShopHarness {
  readonly browser: Browser;
  readonly shop: StaticServer;
  readonly sink: BrowserSink;
  readonly context: BrowserContext;
  /** `init` settings pointing at this test's sink, with short timers. */
  cfg(extra?: Record<string, unknown>): FixtureConfig;
  /** Closes the sink ("collector down"); `restartSink` brings it back on the same port. */
  stopSink(): Promise<void>;
  restartSink(): Promise<void>;
  /** Ids received by fetch (gzip frames), duplicates kept. */
  fetchedIds(): string[];
  /**
   * Asserts every id arrived exactly once by fetch. Beacons (identity frames) are a page's
   * unconfirmed last word, resent later by design and dropped by the collector's dedupe, so
   * they are counted apart.
   */
  expectExactlyOnce(ids: readonly string[]): void;
}

export function useShopHarness(): ShopHarness {
  const h = {} as { browser: Browser; shop: StaticServer; sink: BrowserSink; context: BrowserContext };
  beforeAll(async () => {
    [h.browser, h.shop] = await Promise.all([launchChromium(), startStaticServer()]);
  });
  afterAll(async () => {
    await Promise.all([h.browser?.close(), h.shop?.close()]);
  });
  beforeEach(async () => {
    h.sink = await startBrowserSink({ writeKey: WRITE_KEY });
    h.context = await newShopperContext(h.browser);
  });
  afterEach(async () => {
    await h.context?.close();
    await h.sink?.close();
  });
  const fetchedIds = () => h.sink.batches.filter((b) => b.codec === CodecId.gzip).flatMap((b) => b.events.map((e) => e.id));
  return {
    get browser() {
      return h.browser;
    },
    get shop() {
      return h.shop;
    },
    get sink() {
      return h.sink;
    },
    get context() {
      return h.context;
    },
    cfg: (extra = {}) => ({ endpoint: h.sink.url, writeKey: WRITE_KEY, flushIntervalMs: 200, retryBaseMs: 200, retryMaxMs: 1_000, ...extra }),
    stopSink: () => h.sink.close(),
    restartSink: async () => {
      h.sink = await startBrowserSink({ writeKey: WRITE_KEY, port: h.sink.port });
    },
    fetchedIds,
    expectExactlyOnce: (ids) => {
      const received = fetchedIds();
      const counts = new Map<string, number>();
      for (const id of received) counts.set(id, (counts.get(id) ?? 0) + 1);
      expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
      expect(received.length).toBe(ids.length);
    },
  };
}
