/**
 * NDJSON and Parquet lakes written from the same mixed workload answer the same SQL through the
 * generated views (real DuckDB), and the answers match what was sent: counts per zone and event
 * type, revenue by product over `products`, sources with dashes, Segment ids, ill-typed values.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionSlug } from '@shopstream/shared';
import { defaultCatalogDir, loadSchemaFolder } from '../../pipeline/schema/load-schema-folder.js';
import { createLakeSink } from '../../sinks/lake/lake-sink.js';
import { buildLakeCatalog } from '../lake-catalog.js';
import { duckdbViews, lakeTables, type LakeFileFormat } from '../lake-views.js';
import { listLakePartitions } from '../local-lake-files.js';
import { createParquetWriter } from '../parquet-writer.js';
import { compactLake } from '../compaction/compact-lake.js';
import { localCompactionStore } from '../compaction/local-compaction-store.js';
import { createDuckdbSession } from '../duckdb-session.js';
import { mixedWorkload, type Workload } from './mixed-workload.js';

const SEED = Number(process.env.LAKE_SEED ?? 1305);
const documents = (await loadSchemaFolder(defaultCatalogDir())).map((d) => d.schema as Record<string, unknown>);
const catalog = buildLakeCatalog(documents);
const latest = new Map<string, Record<string, unknown>>();
for (const doc of documents) latest.set((doc['x-event'] as { name: string }).name, doc); // files sort by version

let root: string;
let workload: Workload;
const lakes = {} as Record<LakeFileFormat, string>;
const limits = { recordsMax: 1 << 20, bytesMax: 1 << 30, recordBytesMax: 1 << 20, lingerMs: 0 };

async function viewsOn(dir: string, format: LakeFileFormat) {
  const partitions = await listLakePartitions(dir);
  const hasFiles = (table: { zone: string; slug: string }) => partitions.some((p) => p.zone === table.zone && (table.slug === '*' || p.slug === table.slug));
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(duckdbViews(catalog, { root: dir, format, hasFiles, customSlugs: partitions.map((p) => p.slug) }));
  return { query: async (sql: string) => (await db.runAndReadAll(sql)).getRowObjectsJson(), close: () => db.closeSync() };
}

beforeAll(async () => {
  console.log(`lake formats: seed ${SEED}`);
  root = await mkdtemp(join(tmpdir(), 'lake-formats-'));
  workload = mixedWorkload({ seed: SEED, events: 3000, schemas: latest, startMs: Date.UTC(2026, 11, 5, 9, 5), stepMs: 1000, sources: ['web-shop', 'app-eu-2'] });
  for (const format of ['ndjson', 'parquet'] as const) {
    lakes[format] = join(root, format);
    const parquetWriter = format === 'parquet' ? createParquetWriter() : undefined;
    const sink = createLakeSink({ name: format, dir: lakes[format], limits, gzipLevel: 1, catalog, format, ...(parquetWriter ? { parquetWriter } : {}) });
    for (let i = 0; i < workload.records.length; i += 1500) {
      expect(await sink.write(workload.records.slice(i, i + 1500), AbortSignal.timeout(30_000))).toEqual({ status: 'success' });
    }
    await sink.close?.();
  }
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const QUERIES = [
  `select count(*) as n, count(distinct id) as ids, count(*) filter (where kind is null) as no_kind from clean_events`,
  `select source, count(*) as n from clean_events group by all order by all`,
  `select count(*) as n from clean_events where source = 'web-shop'`,
  `select event_type, count(*) as n from raw_events group by all order by all`,
  `select count(*) filter (where invalid is not null) as invalid, count(*) filter (where "timestamp" is null) as no_time from raw_events`,
  `select round(sum(properties.total), 2) as total, count(distinct properties.order_id) as orders from clean_order_completed`,
  `select p.product_id, round(sum(p.price * p.quantity), 2) as revenue from clean_order_completed, unnest(properties.products) as t(p) where p.product_id is not null and p.price is not null and p.quantity is not null group by all order by all`,
  `select reason.code, count(*) as n from failed group by all order by all`,
  `select sum(accepted) as accepted, sum(rejected) as rejected, count(*) as requests from audit`,
  `select count(*) as n from clean_events where requestId is null or walLsn is null`,
  `select traits.plan, count(*) as n from clean_identify group by all order by all`,
  `select extra->>'$.properties.paper' as paper, count(*) as n from clean_gift_wrapped group by all order by all`,
];

describe('lake formats and views', () => {
  it('every generated view answers, on NDJSON and on Parquet', async () => {
    for (const format of ['ndjson', 'parquet'] as const) {
      const db = await viewsOn(lakes[format], format);
      for (const table of lakeTables(catalog, ['gift_wrapped'])) expect(await db.query(`select count(*) as n from "${table.name}"`)).toHaveLength(1);
      db.close();
    }
  });

  it('counts per zone and event type, and revenue by product, match what was sent', async () => {
    const db = await viewsOn(lakes.parquet, 'parquet');
    const [clean] = await db.query(QUERIES[0]!);
    const cleanTotal = [...workload.cleanByType.values()].reduce((a, b) => a + b, 0);
    expect(clean).toEqual({ n: String(cleanTotal), ids: String(cleanTotal), no_kind: '0' });
    for (const [type, count] of workload.cleanByType) {
      expect(await db.query(`select count(*) as n from clean_${partitionSlug(type)}`)).toEqual([{ n: String(count) }]);
    }
    expect(await db.query(`select count(*) as n from raw_events`)).toEqual([{ n: String(workload.rawCount) }]);
    expect(await db.query(`select count(*) as n from failed`)).toEqual([{ n: String(workload.failedCount) }]);
    expect(await db.query(`select count(*) as n from audit`)).toEqual([{ n: String(workload.auditCount) }]);
    const revenue = await db.query(QUERIES[6]!);
    const expected = [...workload.revenueByProduct].map(([id, sum]) => ({ product_id: id, revenue: Math.round(sum * 100) / 100 })).sort((a, b) => (a.product_id < b.product_id ? -1 : 1));
    expect(revenue.map((r) => ({ product_id: r.product_id, revenue: Number(r.revenue) }))).toEqual(expected);
    // Ill-typed values never changed a column's type: they sit in `invalid`, as sent.
    const [bad] = await db.query(`select invalid->>'$.properties.total' as total, typeof(properties) as t from raw_order_completed where invalid is not null limit 1`);
    expect(bad).toMatchObject({ total: 'ten' });
    db.close();
  });

  it('NDJSON and Parquet give the same answer to the same SQL', async () => {
    const ndjson = await viewsOn(lakes.ndjson, 'ndjson');
    const parquet = await viewsOn(lakes.parquet, 'parquet');
    for (const sql of QUERIES) expect({ sql, rows: await parquet.query(sql) }).toEqual({ sql, rows: await ndjson.query(sql) });
    ndjson.close();
    parquet.close();
  });

  // Parquet compaction is proven under kill -9 in test/lake/compaction.test.ts; NDJSON here.
  it('compacting an NDJSON lake changes no answer, and leaves one file per partition', async () => {
    const session = createDuckdbSession();
    for (const format of ['ndjson'] as const) {
      const before = await viewsOn(lakes[format], format);
      const answers = await Promise.all(QUERIES.map((sql) => before.query(sql)));
      before.close();
      const report = await compactLake(localCompactionStore(lakes[format]), { catalog, session, closedAfterMs: 0, nowMs: () => Date.UTC(2030, 0, 1) });
      expect(report.partitions).toBeGreaterThan(0);
      for (const partition of await listLakePartitions(lakes[format])) expect(partition.files).toHaveLength(1);
      const after = await viewsOn(lakes[format], format);
      for (let i = 0; i < QUERIES.length; i++) expect({ format, sql: QUERIES[i], rows: await after.query(QUERIES[i]!) }).toEqual({ format, sql: QUERIES[i], rows: answers[i] });
      after.close();
    }
    await session.close();
  });
});
