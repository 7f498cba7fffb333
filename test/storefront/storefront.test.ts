// The storefront demo end to end: `examples/start-demo.mjs` (collector + storefront server) on
// free ports with a temp data dir, headless Chromium clicking through a purchase with the real
// browser SDK, and the lake checked for the `Order Completed` event with the cart's products.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..', '..');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const LAND_TIMEOUT_MS = 20_000;

let dataDir: string;
let demo: ChildProcess;
let demoOutput = '';
let storefrontUrl: string;
let endpoint: string;
let browser: Browser;
let page: Page;

/** Every event of `type` in a lake zone, parsed from its gzip NDJSON files. */
function lakeEvents(zone: 'raw' | 'clean', slug?: string): any[] {
  const events: any[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (slug && entry.name.startsWith('event_type=') && entry.name !== `event_type=${slug}`) continue;
        walk(path);
      } else if (entry.name.endsWith('.ndjson.gz') && !entry.name.startsWith('.')) {
        for (const line of gunzipSync(readFileSync(path)).toString('utf8').split('\n')) if (line) events.push(JSON.parse(line));
      }
    }
  };
  walk(join(dataDir, 'lake', zone));
  return events;
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = LAND_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n--- demo output ---\n${demoOutput}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  // Bundle the current storefront source (about a second), so the test never runs a stale build.
  const build = spawnSync('node', ['examples/storefront/build.mjs'], { cwd: repoRoot, encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);

  dataDir = mkdtempSync(join(tmpdir(), 'shopstream-storefront-'));
  demo = spawn('node', ['examples/start-demo.mjs'], {
    cwd: repoRoot,
    env: { ...process.env, DEMO_PORT: '0', COLLECTOR_PORT: '0', SHOPSTREAM_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout!.on('data', (chunk) => (demoOutput += chunk));
  demo.stderr!.on('data', (chunk) => (demoOutput += chunk));
  await until('the demo to print its URLs', () => (/Storefront\s+(http:\/\/127\.0\.0\.1:\d+)/.test(demoOutput) && /Send events\s+(http:\/\/127\.0\.0\.1:\d+)/.test(demoOutput) ? true : undefined), 30_000);
  storefrontUrl = demoOutput.match(/Storefront\s+(http:\/\/127\.0\.0\.1:\d+)/)![1]!;
  endpoint = demoOutput.match(/Send events\s+(http:\/\/127\.0\.0\.1:\d+)/)![1]!;

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.on('pageerror', (error) => (demoOutput += `\n[pageerror] ${error.message}`));
});

afterAll(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null) {
    const exited = new Promise((resolve) => demo.once('exit', resolve));
    demo.kill('SIGINT'); // the demo's own graceful stop: storefront, then the collector drains
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    if (demo.exitCode === null) demo.kill('SIGKILL');
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('storefront demo', () => {
  it('prints where to send events, where the shop is, where events land and how to stop', () => {
    expect(demoOutput).toContain('write key: dev-key');
    expect(demoOutput).toContain(join(dataDir, 'lake'));
    expect(demoOutput).toMatch(/Stop: Ctrl-C/);
  });

  it('a purchase clicked through in Chromium lands as Order Completed with the cart’s products', async () => {
    await page.goto(`${storefrontUrl}/`);
    await page.waitForSelector('.card');
    await expect.poll(() => page.textContent('#endpoint')).toContain(endpoint);

    // Search, open a product, add 2; add a second product from the list; apply the promotion.
    await page.fill('form[data-action=search] input[name=q]', 'sencha');
    await page.press('form[data-action=search] input[name=q]', 'Enter');
    await page.waitForSelector('h1:has-text("Results for")');
    await page.click('a.card-title:has-text("Morning Sencha")');
    await page.waitForSelector('.product h1:has-text("Morning Sencha")');
    await page.fill('#qty', '2');
    await page.click('.product button[data-action=add]');
    await page.goto(`${storefrontUrl}/#/category/Teaware`);
    await page.click('.card:has-text("Gooseneck Kettle") button[data-action=add]');
    await page.goto(`${storefrontUrl}/#/`);
    await page.click('[data-action=promotion]');
    await page.waitForSelector('.line:has-text("Gooseneck Kettle")');
    expect(await page.textContent('#cart-count')).toBe('3');
    await page.screenshot({ path: '/tmp/storefront-cart.png' });

    // Remove and re-add the kettle (Product Removed), then check out.
    await page.click('.line:has-text("Gooseneck Kettle") [data-action=remove]');
    await page.waitForSelector('.line:has-text("Gooseneck Kettle")', { state: 'detached' });
    await page.goto(`${storefrontUrl}/#/product/p-kettle`);
    await page.click('.product button[data-action=add]');
    await page.goto(`${storefrontUrl}/#/cart`);
    await page.click('[data-action=checkout]');
    await page.fill('input[name=email]', 'ada@example.com');
    await page.fill('input[name=name]', 'Ada Lovelace');
    await page.fill('input[name=address]', '12 Harbour Lane, Cork');
    await page.check('input[name=shipping][value=express]');
    await page.click('form[data-action=shipping] button[type=submit]');
    await page.waitForSelector('form[data-action=payment]');
    await page.check('input[name=payment][value=paypal]');
    await page.screenshot({ path: '/tmp/storefront-checkout.png' });
    await page.click('form[data-action=payment] button[type=submit]');
    await page.waitForSelector('.confirm');
    const orderId = (await page.textContent('[data-order-id]'))!.trim();
    expect(orderId).toMatch(/^ORD-/);

    // The order lands in the lake (clean zone; raw if this collector has no clean zone yet).
    const order = await until('Order Completed in the lake', () => {
      const found = [...lakeEvents('clean', 'order_completed'), ...lakeEvents('raw', 'order_completed')];
      return found.find((event) => event.properties?.order_id === orderId);
    });
    expect(order.type).toBe('Order Completed');
    expect(order.source).toBe('dev');
    expect(order.userId).toBe('user-ada-example-com');
    const p = order.properties;
    expect(p.products.map((line: any) => [line.product_id, line.quantity, line.price])).toEqual([
      ['p-sencha', 2, 12.5],
      ['p-kettle', 1, 49],
    ]);
    // 74.00 − 10 % (AUTUMN10) + 9.90 express = 76.50
    expect(p).toMatchObject({ subtotal: 74, discount: 7.4, shipping: 9.9, total: 76.5, coupon: 'AUTUMN10', currency: 'EUR', shipping_method: 'express', payment_method: 'paypal' });

    // The live panel shows it within seconds, as a person watching the page would see it.
    await page.waitForSelector('#live [data-event-type="Order Completed"]', { timeout: LAND_TIMEOUT_MS });
    await page.screenshot({ path: '/tmp/storefront-confirmation.png' });
  });

  it('every step of the e-commerce catalog was sent and landed', async () => {
    const expected = [
      'Page Viewed', 'Product List Viewed', 'Promotion Viewed', 'Promotion Clicked', 'Products Searched', 'Product Viewed',
      'Product Added', 'Product Removed', 'Cart Viewed', 'Coupon Applied', 'Checkout Started', 'Identify',
      'Checkout Step Completed', 'Payment Info Entered', 'Order Completed',
    ];
    let lastSeen: string[] = [];
    const types = await until('every catalog event in the lake', () => {
      const zone = lakeEvents('clean').length > 0 ? 'clean' : 'raw';
      const seen = new Set(lakeEvents(zone).map((event) => event.type));
      lastSeen = [...seen];
      return expected.every((type) => seen.has(type)) ? seen : undefined;
    }).catch((error: Error) => {
      throw new Error(`${error.message.split('\n')[0]}; seen: ${lastSeen.join(', ')}`);
    });
    expect([...types]).toEqual(expect.arrayContaining(expected));
    // Nothing the shop sent was refused by the collector's schema checks.
    expect(lakeEvents('raw').length).toBeGreaterThan(0);
    const failedDir = join(dataDir, 'lake', 'failed');
    let failedFiles: string[] = [];
    try {
      failedFiles = readdirSync(failedDir, { recursive: true }).map(String).filter((name) => name.endsWith('.ndjson.gz'));
    } catch {
      // no failed zone at all
    }
    expect(failedFiles).toEqual([]);
  });

  it('the collector still serves after the session (status answers)', async () => {
    const response = await fetch(`${endpoint}/v1/status`);
    expect(response.status).toBe(200);
    const status = (await response.json()) as { sinks: unknown[] };
    expect(status.sinks.length).toBeGreaterThan(0);
  });
});
