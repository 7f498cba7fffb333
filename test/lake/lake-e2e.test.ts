/**
 * The lake under a real collector with default lake settings, fed a mixed workload at about
 * 1,000 events/s (every catalog event type, SDK-shaped and Segment-shaped calls with non-UUID
 * ids, two sources with dashes, ~3 % ill-typed events) into two lake sinks, one NDJSON and one
 * Parquet. While it writes, DuckDB polls the generated views in a loop and no query fails.
 * After a graceful stop: every view answers, counts per zone and type match what was sent,
 * revenue by product over `products` matches, both formats answer the same SQL, and each
 * partition-hour holds no more files than the README promises (one per 10 s roll, plus one).
 * Scaled honestly: 12 s of load, not 60 (the promise is per roll interval, so it scales).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, expect, it } from 'vitest';
import { partitionSlug } from '@shopstream/shared';
import { catalogEvent, seededRandom } from '../../collector/src/lake/__tests__/mixed-workload.js';
import { duckdbViews, lakeTables } from '../../collector/src/lake/lake-views.js';
import { listLakePartitions } from '../../collector/src/lake/local-lake-files.js';
import { COLLECTOR_CLI, startCollectorProcess, type CollectorProcess } from '../support/collector-process.js';
import { catalogAndSchemas, filesByPartition } from './lake-files.js';

const SEED = Number(process.env.LAKE_SEED ?? 1313);
const LOAD_MS = 12_000;
const EVENTS_PER_S = 1_000;
const ROLL_MS = 10_000; // the lake sink's default roll age, which this test keeps
const SOURCES = [
  { id: 'web-shop', writeKey: 'web-shop-key' },
  { id: 'pos-eu-1', writeKey: 'pos-eu-1-key' },
];

let collector: CollectorProcess | undefined;
afterAll(async () => {
  await collector?.cleanup();
});

type Db = { query(sql: string): Promise<Record<string, unknown>[]>; close(): void };

async function openViews(root: string, format: 'ndjson' | 'parquet', catalog: Awaited<ReturnType<typeof catalogAndSchemas>>['catalog']): Promise<Db> {
  const partitions = await listLakePartitions(root);
  const hasFiles = (t: { zone: string; slug: string }) => partitions.some((p) => p.zone === t.zone && (t.slug === '*' || p.slug === t.slug));
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(duckdbViews(catalog, { root, format, hasFiles, customSlugs: partitions.map((p) => p.slug) }));
  return { query: async (sql) => (await db.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[], close: () => db.closeSync() };
}

it('a mixed workload at 1,000 events/s: views answer while writing, counts and revenue match, NDJSON = Parquet, few files per partition-hour', async () => {
  console.log(`lake e2e: seed ${SEED}`);
  const { catalog, latest } = await catalogAndSchemas();
  const random = seededRandom(SEED);
  const dir = await mkdtemp(join(tmpdir(), 'lake-e2e-'));
  const parquetRoot = join(dir, 'lake-parquet');
  // Default lake settings (roll age 10 s), two formats side by side.
  collector = await startCollectorProcess({
    dir,
    config: { sources: SOURCES, sinks: [{ type: 'lake', name: 'lake-ndjson' }, { type: 'lake', name: 'lake-parquet', format: 'parquet', dir: parquetRoot }] },
  });
  const ndjsonRoot = collector.lakeDir;
  const types = [...latest.keys(), 'Gift Wrapped'];
  const sentClean = new Map<string, number>();
  const revenue = new Map<string, number>();
  let sentInvalid = 0;
  let sent = 0;

  // Polls both lakes' views while the collector writes; any failed query fails the test.
  let polling = true;
  const pollErrors: string[] = [];
  let polls = 0;
  const poller = (async () => {
    while (polling) {
      for (const [root, format] of [[ndjsonRoot, 'ndjson'], [parquetRoot, 'parquet']] as const) {
        const partitions = await listLakePartitions(root, ['clean']);
        if (partitions.length === 0) continue;
        try {
          const db = await openViews(root, format, catalog);
          await db.query(`select count(*) as n, count(distinct id) as ids from clean_events`);
          await db.query(`select count(*), sum(properties.total) from clean_order_completed where source = 'web-shop'`);
          db.close();
          polls++;
        } catch (error) {
          pollErrors.push((error as Error).message);
        }
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();

  const started = Date.now();
  for (let tick = 0; Date.now() - started < LOAD_MS; tick++) {
    // One request per source every 100 ms: 2 × 50 events ≈ 1,000 events/s.
    await Promise.all(
      SOURCES.map(async (source) => {
        const batch = Array.from({ length: (EVENTS_PER_S / 10) / SOURCES.length }, () => {
          // ~3 % are Order Completed with a total of "ten": raw keeps it, validation sends it to failed.
          const invalid = random() < 0.03;
          const type = invalid ? 'Order Completed' : types[Math.floor(random() * types.length)]!;
          const event = catalogEvent(type, latest.get(type), random, sent++, Date.now());
          if (invalid) {
            sentInvalid++;
            return { ...event, properties: { ...(event.properties as object), total: 'ten' } };
          }
          sentClean.set(type, (sentClean.get(type) ?? 0) + 1);
          if (type === 'Order Completed') {
            for (const p of ((event.properties as { products?: { product_id?: string; price?: number; quantity?: number }[] }).products ?? [])) {
              if (p?.product_id !== undefined && p.price !== undefined && p.quantity !== undefined) revenue.set(p.product_id, (revenue.get(p.product_id) ?? 0) + p.price * p.quantity);
            }
          }
          // Segment-shaped calls say `type: track|identify`, `event`, `messageId`.
          if (String(event.id).startsWith('ajs-')) {
            const { id, type: name, kind, ...rest } = event;
            return { ...rest, type: kind, ...(kind === 'track' ? { event: name } : {}), messageId: id };
          }
          return event;
        });
        const res = await fetch(`${collector!.url}/v1/batch`, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${source.writeKey}` }, body: JSON.stringify({ batch }),
        });
        expect(res.status).toBe(200);
      }),
    );
    await new Promise((r) => setTimeout(r, Math.max(0, started + (tick + 1) * 100 - Date.now())));
  }
  const loadMs = Date.now() - started;
  // Every request's audit row in both lakes (the last files roll within one roll age), then stop.
  const requests = Math.ceil(sent / ((EVENTS_PER_S / 10) / SOURCES.length));
  const deadline = Date.now() + 60_000;
  for (const [root, format] of [[ndjsonRoot, 'ndjson'], [parquetRoot, 'parquet']] as const) {
    for (;;) {
      const db = await openViews(root, format, catalog);
      const [{ n }] = (await db.query('select count(*) as n from audit')) as [{ n: string }];
      db.close();
      if (Number(n) >= requests) break;
      if (Date.now() > deadline) throw new Error(`${format} lake holds ${n} of ${requests} audit rows after 60 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  polling = false;
  await poller;
  expect(await collector.stop()).toBe(0);
  console.log(`lake e2e: ${sent} events in ${loadMs} ms (${Math.round((sent * 1000) / loadMs)}/s), ${polls} view polls during the load, ${pollErrors.length} failed`);
  expect(pollErrors).toEqual([]);
  expect(polls).toBeGreaterThan(5);

  const cleanTotal = [...sentClean.values()].reduce((a, b) => a + b, 0);
  const answers: Record<string, unknown[]> = {};
  for (const [root, format] of [[ndjsonRoot, 'ndjson'], [parquetRoot, 'parquet']] as const) {
    const db = await openViews(root, format, catalog);
    for (const table of lakeTables(catalog, ['gift_wrapped'])) expect(await db.query(`select count(*) as n from "${table.name}"`)).toHaveLength(1);
    expect(await db.query(`select count(*) as n, count(distinct id) as ids, count(*) filter (where kind is null or requestId is null or walLsn is null) as unlinked from clean_events`)).toEqual([{ n: String(cleanTotal), ids: String(cleanTotal), unlinked: '0' }]);
    for (const [type, count] of sentClean) expect([type, await db.query(`select count(*) as n from clean_${partitionSlug(type)}`)]).toEqual([type, [{ n: String(count) }]]);
    expect(await db.query(`select count(*) as n from raw_events`)).toEqual([{ n: String(sent) }]);
    expect(await db.query(`select count(*) as n from failed where reason.code = 'COLLECTOR_SCHEMA_INVALID'`)).toEqual([{ n: String(sentInvalid) }]);
    const byProduct = await db.query(`select p.product_id, round(sum(p.price * p.quantity), 2) as revenue from clean_order_completed, unnest(properties.products) as t(p) where p.product_id is not null and p.price is not null and p.quantity is not null group by all order by all`);
    expect(byProduct.map((r) => [r.product_id, Number(r.revenue)])).toEqual([...revenue].map(([id, sum]) => [id, Math.round(sum * 100) / 100]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
    const sql = [
      `select source, kind, count(*) as n from clean_events group by all order by all`,
      `select count(*) as n from clean_events where source = 'web-shop'`,
      `select round(sum(properties.total), 2) as total from clean_order_completed`,
      `select count(*) filter (where invalid is not null) as invalid from raw_order_completed`,
      `select sum(accepted) as accepted, sum(rejected) as rejected from audit`,
    ];
    answers[format] = await Promise.all(sql.map((q) => db.query(q)));
    db.close();
  }
  expect(answers.parquet).toEqual(answers.ndjson);

  // The shipped command prints the same views (and Athena DDL with partition projection).
  const config = join(dir, 'collector.json');
  const printed = spawnSync(process.execPath, [COLLECTOR_CLI, 'lake', 'views', '--config', config, '--dir', parquetRoot, '--format', 'parquet'], { encoding: 'utf8', timeout: 30_000 });
  expect(printed.status).toBe(0);
  const cli = await (await DuckDBInstance.create(':memory:')).connect();
  await cli.run(printed.stdout);
  expect((await cli.runAndReadAll(`select count(*) as n from clean_events`)).getRowObjectsJson()).toEqual([{ n: String(cleanTotal) }]);
  cli.closeSync();
  const athena = spawnSync(process.execPath, [COLLECTOR_CLI, 'lake', 'views', '--config', config, '--athena', 's3://shop-lake/lake', '--format', 'parquet'], { encoding: 'utf8', timeout: 30_000 });
  expect(athena.status).toBe(0);
  expect(athena.stdout).toMatch(/CREATE EXTERNAL TABLE IF NOT EXISTS shopstream\.clean_order_completed \(/);
  expect(athena.stdout).toMatch(/`properties` struct<.*products:array<struct<product_id:string/);
  expect(athena.stdout).toMatch(/'projection\.source_id\.values' = 'web-shop,pos-eu-1'/);

  // Files per partition-hour: one per roll interval at most, plus the final flush.
  const promised = Math.ceil(loadMs / ROLL_MS) + 1;
  for (const root of [ndjsonRoot, parquetRoot]) {
    const counts = [...(await filesByPartition(root)).values()].map((files) => files.length);
    console.log(`lake e2e: ${root.endsWith('parquet') ? 'parquet' : 'ndjson'}: ${counts.length} partitions, at most ${Math.max(...counts)} files each (promised ≤ ${promised})`);
    expect(Math.max(...counts)).toBeLessThanOrEqual(promised);
  }
});
