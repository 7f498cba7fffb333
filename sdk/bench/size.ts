/**
 * Bundle size of the browser SDK as a shop ships it, beside the SDKs a shop would switch from.
 * Each candidate is a tiny app entry bundled with esbuild (minify, ESM, browser, ES2022, code splitting)
 * and measured as min+gzip (level 9) of what the page loads up front: the entry chunk and the
 * chunks it imports statically (lazy chunks behind `import()` are listed apart).
 *   (a) `init` + `track` only, (b) every export of `@shopstream/sdk/browser`.
 * Our SDK is bundled from source (`@shopstream/sdk/browser` and `@shopstream/shared` aliased to
 * their `src/`), as a bundler sees the published ESM modules with `sideEffects: false`.
 * Then the main-thread cost of `track()` in headless Chromium: 10,000 calls timed with
 * performance.now, without and with the IndexedDB write that follows them.
 * Last line: {"bench":"browser-size-init-track","value":<ours, bytes>,"baseline":<smallest
 * anchor>,"ratio":<baseline / ours>}.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const ALIAS = {
  '@shopstream/sdk/browser/ecommerce': join(sdkDir, 'src/platform/browser/ecommerce.ts'),
  '@shopstream/sdk/browser': join(sdkDir, 'src/platform/browser/index.ts'),
  '@shopstream/shared': join(sdkDir, '../shared/src/index.ts'),
};

interface Candidate {
  readonly name: string;
  readonly entry: string;
  /** Bundle our packages from source (aliases), not from their built dist. */
  readonly ours?: boolean;
}

const CANDIDATES: Candidate[] = [
  {
    name: 'shopstream (a) init+track',
    ours: true,
    entry: `import { init, track } from '@shopstream/sdk/browser';
init({ writeKey: 'k', endpoint: 'https://collect.example' });
track('Product Viewed', { sku: 'tea-1' });`,
  },
  {
    name: 'shopstream (b) everything',
    ours: true,
    entry: `import * as sdk from '@shopstream/sdk/browser';
globalThis.sdk = sdk;`,
  },
  {
    name: 'shopstream (c) init+track+ecommerce',
    ours: true,
    entry: `import { init } from '@shopstream/sdk/browser';
import { createEcommerce } from '@shopstream/sdk/browser/ecommerce';
init({ writeKey: 'k', endpoint: 'https://collect.example' });
createEcommerce().productViewed({ product_id: 'tea-1', price: 4.5 });`,
  },
  {
    // The same app through the built packages (`npx tsup` in shared and sdk first): what npm
    // users get; differs from (a) when a dist pulls in more than the source modules do.
    name: 'shopstream (a) via dist',
    entry: `import { init, track } from '@shopstream/sdk/browser';
init({ writeKey: 'k', endpoint: 'https://collect.example' });
track('Product Viewed', { sku: 'tea-1' });`,
  },
  {
    name: '@segment/analytics-next',
    entry: `import { AnalyticsBrowser } from '@segment/analytics-next';
const analytics = AnalyticsBrowser.load({ writeKey: 'k' });
analytics.track('Product Viewed', { sku: 'tea-1' });`,
  },
  {
    name: '@snowplow/browser-tracker',
    entry: `import { newTracker, trackSelfDescribingEvent } from '@snowplow/browser-tracker';
newTracker('sp', 'https://collect.example');
trackSelfDescribingEvent({ event: { schema: 'iglu:com.example/product_viewed/jsonschema/1-0-0', data: { sku: 'tea-1' } } });`,
  },
  {
    name: 'posthog-js',
    entry: `import posthog from 'posthog-js';
posthog.init('k', { api_host: 'https://collect.example' });
posthog.capture('Product Viewed', { sku: 'tea-1' });`,
  },
  {
    name: '@amplitude/analytics-browser@2.3.0',
    entry: `import { init, track } from '@amplitude/analytics-browser';
init('k');
track('Product Viewed', { sku: 'tea-1' });`,
  },
];

interface SizeResult {
  readonly name: string;
  readonly minBytes: number;
  readonly gzipBytes: number;
  readonly lazyGzipBytes: number;
  /** Source files with bytes in the output (metafile inputs). */
  readonly inputs: readonly string[];
}

async function measure(candidate: Candidate, outdir: string): Promise<SizeResult> {
  const result = await esbuild.build({
    stdin: { contents: candidate.entry, resolveDir: sdkDir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    splitting: true,
    outdir,
    write: false,
    metafile: true,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    ...(candidate.ours ? { alias: ALIAS } : {}),
  });
  const files = new Map(result.outputFiles.map((f) => [f.path, f.contents]));
  const outputs = result.metafile.outputs;
  // Targets of import() are entry points too in esbuild's metafile: the app's own is <stdin>.
  const entry = Object.keys(outputs).find((path) => outputs[path]!.entryPoint === '<stdin>')!;
  const upFront = new Set<string>();
  const visit = (path: string) => {
    if (upFront.has(path)) return;
    upFront.add(path);
    for (const imported of outputs[path]!.imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entry);
  const contentsOf = (path: string) => files.get(join(process.cwd(), path)) ?? files.get(path) ?? new Uint8Array();
  const inputs = Object.values(outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([p]) => p));
  let minBytes = 0;
  let gzipBytes = 0;
  let lazyGzipBytes = 0;
  for (const path of Object.keys(outputs)) {
    if (!path.endsWith('.js')) continue;
    const bytes = contentsOf(path);
    const gz = gzipSync(bytes, { level: 9 }).length;
    if (upFront.has(path)) {
      minBytes += bytes.length;
      gzipBytes += gz;
    } else lazyGzipBytes += gz;
  }
  return { name: candidate.name, minBytes, gzipBytes, lazyGzipBytes, inputs };
}

/** µs per `track()` in Chromium, for the synchronous call and including the IndexedDB write. */
async function measureTrackCost(): Promise<{ syncUs: number; withWriteUs: number }> {
  const bundle = await esbuild.build({
    stdin: { contents: `import * as sdk from '@shopstream/sdk/browser'; window.sdk = sdk;`, resolveDir: sdkDir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    alias: ALIAS,
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]!.text;
  // Page, script and batch route on one loopback origin: no CORS, and deliveries get a 200.
  const server = createServer((req, res) => {
    if (req.url === '/app.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    if (req.method === 'POST') return void req.resume().on('end', () => res.writeHead(200).end('{}'));
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>bench</title><script type="module" src="/app.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(origin);
    await page.waitForFunction(() => 'sdk' in window);
    // No named functions inside: tsx would wrap them in a helper the page does not have.
    const rounds = await page.evaluate(async (endpoint) => {
      const sdk = (window as unknown as { sdk: typeof import('../src/platform/browser/index.js') }).sdk;
      const client = sdk.init({ writeKey: 'bench-key', endpoint, queueEventsMax: 60_000, queueBytesMax: 64 * 1024 * 1024, flushIntervalMs: 60_000 });
      const calls = 10_000;
      const props = { product_id: 'tea-1', name: 'Green tea', price: 4.5, currency: 'EUR', quantity: 1 };
      for (let i = 0; i < 1_000; i++) sdk.track('Warm Up', props); // JIT warm-up
      await sdk.queuedEvents(client);
      // Five rounds; the median resists the other processes sharing this machine's cores.
      const sync: number[] = [];
      const withWrite: number[] = [];
      for (let round = 0; round < 5; round++) {
        const start = performance.now();
        for (let i = 0; i < calls; i++) sdk.track('Product Viewed', props);
        sync.push(((performance.now() - start) * 1000) / calls);
        await sdk.queuedEvents(client); // waits for the IndexedDB transaction
        withWrite.push(((performance.now() - start) * 1000) / calls);
      }
      return { sync, withWrite };
    }, origin);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return { syncUs: median(rounds.sync), withWriteUs: median(rounds.withWrite) };
  } finally {
    await browser.close();
    server.close();
  }
}

const outdir = await mkdtemp(join(tmpdir(), 'shopstream-size-'));
const results: SizeResult[] = [];
try {
  for (const candidate of CANDIDATES) {
    try {
      const r = await measure(candidate, outdir);
      results.push(r);
      console.log(`${r.name.padEnd(38)} min ${String(r.minBytes).padStart(8)} B   min+gzip ${String(r.gzipBytes).padStart(7)} B   lazy chunks +${r.lazyGzipBytes} B gz`);
    } catch (error) {
      console.log(`${candidate.name.padEnd(38)} not measured: ${(error as Error).message.split('\n')[0]}`);
    }
  }
} finally {
  await rm(outdir, { recursive: true, force: true });
}

const cost = await measureTrackCost();
console.log(`track() main thread in Chromium: ${cost.syncUs.toFixed(2)} µs/call synchronous, ${cost.withWriteUs.toFixed(2)} µs/call including the IndexedDB write (median of 5 rounds of 10,000 calls)`);
console.log(JSON.stringify({ bench: 'browser-track-cost', value: Number(cost.syncUs.toFixed(2)), unit: 'us/call', withIndexedDbWriteUs: Number(cost.withWriteUs.toFixed(2)) }));

const ours = results.find((r) => r.name === 'shopstream (a) init+track')!;
// The e-commerce helpers have their own entry point: a track-only app must not carry them.
const leaked = ours.inputs.filter((p) => p.includes('src/ecommerce/'));
if (leaked.length > 0) throw new Error(`init+track bundle contains the e-commerce helpers: ${leaked.join(', ')}`);
const anchors = results.filter((r) => !r.name.startsWith('shopstream'));
const smallest = anchors.reduce((a, b) => (b.gzipBytes < a.gzipBytes ? b : a));
console.log(`smallest anchor: ${smallest.name} (${smallest.gzipBytes} B); ours (a) ${ours.gzipBytes} B; target < 5,120 B and ≥ 4× smaller`);
console.log(JSON.stringify({ bench: 'browser-size-init-track', value: ours.gzipBytes, unit: 'bytes min+gzip', baseline: smallest.gzipBytes, ratio: Number((smallest.gzipBytes / ours.gzipBytes).toFixed(2)) }));
