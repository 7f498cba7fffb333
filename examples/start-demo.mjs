#!/usr/bin/env node
// `npm start`: a collector on embedded defaults (local-disk lake in the Hive layout, in-process
// dedupe, no external services) plus the storefront demo, both on loopback. Ctrl-C stops both:
// the storefront first, then the collector drains (finishes WAL appends, flushes the lake).
//
// Env: DEMO_PORT or PORT (storefront, default 8080), COLLECTOR_PORT (default 8787; 0 = any free
// port), SHOPSTREAM_DATA_DIR (default ./data: WAL in data/wal, lake in data/lake).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseConfig, sinkTypes, startCollector } from '@shopstream/collector';
import { startDemoServer } from './demo/demo-server.mjs';

const here = import.meta.dirname;
const env = process.env;
const dataDir = resolve(env.SHOPSTREAM_DATA_DIR ?? join(here, '..', 'data'));
const lakeDir = join(dataDir, 'lake');
const walDir = join(dataDir, 'wal');
const writeKey = 'dev-key';
const staticDir = join(here, 'storefront', 'dist');

if (!existsSync(join(staticDir, 'main.js'))) {
  console.error(`The storefront is not built (${staticDir}). Run: npm run build -w @shopstream/examples`);
  process.exit(1);
}

const collector = await startCollector(
  parseConfig(
    {
      listen: { host: '127.0.0.1', port: Number(env.COLLECTOR_PORT ?? 8787) },
      sources: [{ id: 'dev', writeKey }],
      wal: { dir: walDir },
      lake: { dir: lakeDir },
      // The storefront tails the lake: roll every second (default 10 s keeps file counts low).
      sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 1000 } }],
      cors: { origins: ['*'] },
      log: { level: env.SHOPSTREAM_LOG_LEVEL ?? 'warn' },
    },
    sinkTypes,
  ),
);
const endpoint = collector.url;

let storefront;
try {
  storefront = await startDemoServer({ staticDir, lakeDir, endpoint, writeKey, port: Number(env.DEMO_PORT ?? env.PORT ?? 8080) });
} catch (error) {
  await collector.stop('storefront failed');
  console.error(`The storefront server could not start: ${error.message} (set DEMO_PORT to another port)`);
  process.exit(1);
}

console.log(`
Shopstream demo is running.

  Storefront   ${storefront.url}/            open it, click around, buy something
  Send events  ${endpoint}/v1/batch   write key: ${writeKey}  (source "dev")
  Status       ${endpoint}/v1/status
  Events land  ${lakeDir}/clean/source=dev/event_type=<type>/dt=YYYY-MM-DD/hr=HH/*.ndjson.gz
  WAL          ${walDir}

  Stop: Ctrl-C (drains the collector, then exits)
`);

let stopping = false;
async function stop(signal) {
  if (stopping) return process.exit(1); // a second Ctrl-C: leave now, the WAL replays on the next start
  stopping = true;
  console.log(`\n${signal}: stopping the storefront, draining the collector…`);
  await storefront.close();
  await collector.stop(signal);
  console.log('stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
