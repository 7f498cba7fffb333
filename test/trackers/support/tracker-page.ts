/**
 * A page that runs one tracker's real published package, bundled the way a shop's bundler would
 * (esbuild, ESM, browser platform) from `../fixtures/<name>.ts`, served on 127.0.0.1. The test
 * passes the collector URL and options as `?cfg=<json>`; the fixture sets `window.trackerReady`
 * once the tracker has loaded (settings or source config fetched from the collector).
 */
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';
import { serveFiles, type StaticServer } from '../../browser/support/static-server.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const HTML = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tracker shop</title></head><body><h1>Tracker shop</h1><script type="module" src="/app.js"></script></body></html>';

export async function serveTrackerPage(fixture: 'segment' | 'rudderstack' | 'snowplow'): Promise<StaticServer> {
  const result = await esbuild.build({
    entryPoints: [`${fixtures}${fixture}.ts`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  return serveFiles({ '/': { type: 'text/html; charset=utf-8', body: HTML }, '/app.js': { type: 'text/javascript; charset=utf-8', body: result.outputFiles[0]!.text } });
}

export async function openTrackerPage(context: BrowserContext, pageUrl: string, cfg: Record<string, unknown>): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${pageUrl}/?cfg=${encodeURIComponent(JSON.stringify(cfg))}`);
  await page.waitForFunction(() => (window as unknown as { trackerReady?: boolean }).trackerReady === true, undefined, { timeout: 15_000 });
  return page;
}
