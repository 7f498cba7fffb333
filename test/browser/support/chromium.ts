import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install chromium`), headless, with nothing phoning home: QUIC, background
 * networking, component updates and sync are off, so a test sees only the requests it makes.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * A fresh profile (own IndexedDB, localStorage, cookies). `local-network-access` is granted
 * because a page Playwright answers from a route (the "offline reload") counts as public
 * address space, and Chromium then refuses its requests to the loopback collector.
 */
export function newShopperContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ permissions: ['local-network-access'] });
}

/** Settings the tests pass to `init` through the page URL. */
export interface FixtureConfig {
  readonly endpoint: string;
  readonly writeKey: string;
  readonly [key: string]: unknown;
}

/** Opens the fixture shop with `init(cfg)` run at load, and waits until the SDK is on `window`. */
export async function openShop(context: BrowserContext, shopUrl: string, cfg: FixtureConfig | undefined): Promise<Page> {
  const page = await context.newPage();
  await gotoShop(page, shopUrl, cfg);
  return page;
}

export async function gotoShop(page: Page, shopUrl: string, cfg: FixtureConfig | undefined): Promise<void> {
  const query = cfg ? `?cfg=${encodeURIComponent(JSON.stringify(cfg))}` : '';
  await page.goto(`${shopUrl}/${query}`);
  await page.waitForFunction(() => (window as unknown as { sdkReady?: boolean }).sdkReady === true);
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last result. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Reloads `page` while the context is offline. Offline, a shop reloads only from a cache (a
 * service worker in real life): Playwright answers the page's own requests from copies fetched
 * here, the collector stays unreachable. Call `context.unrouteAll()` when back online.
 */
export async function reloadFromCache(context: BrowserContext, page: Page, shopUrl: string): Promise<void> {
  const cached = new Map<string, { body: Buffer; contentType: string }>();
  for (const path of ['/', '/app.js']) {
    const response = await fetch(`${shopUrl}${path}`);
    cached.set(path, { body: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? '' });
  }
  await context.route(`${shopUrl}/**`, (route) => {
    const hit = cached.get(new URL(route.request().url()).pathname);
    return hit ? route.fulfill({ body: hit.body, contentType: hit.contentType }) : route.abort();
  });
  await page.reload();
  await page.waitForFunction(() => (window as unknown as { sdkReady?: boolean }).sdkReady === true);
}
