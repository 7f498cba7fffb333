/**
 * One file's rig: Chromium (one browser per file), the tracker's page and a real collector
 * process with the lake sink lingering 50 ms, CORS open to the page. `collector` is replaced by
 * the tests that kill and restart it.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, newShopperContext } from '../../browser/support/chromium.js';
import type { StaticServer } from '../../browser/support/static-server.js';
import { startCollectorProcess, type CollectorProcess } from '../../support/collector-process.js';
import { serveTrackerPage } from './tracker-page.js';

export interface TrackerRig {
  readonly browser: Browser;
  readonly shop: StaticServer;
  readonly context: BrowserContext;
  collector: CollectorProcess;
  close(): Promise<void>;
}

/** `config` is merged into the collector's (e.g. `sources`, `ingest`); absent sources: the embedded `dev` / `dev-key`. */
export async function startTrackerRig(fixture: 'segment' | 'rudderstack' | 'snowplow', config: Record<string, unknown> = {}): Promise<TrackerRig> {
  const [browser, shop, collector] = await Promise.all([
    launchChromium(),
    serveTrackerPage(fixture),
    startCollectorProcess({ config: { cors: { origins: ['*'] }, sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 50 } }], ...config } }),
  ]);
  const rig: TrackerRig = {
    browser,
    shop,
    collector,
    context: await newShopperContext(browser),
    async close() {
      await Promise.all([browser.close(), shop.close(), rig.collector.cleanup()]);
    },
  };
  return rig;
}
