/**
 * Helpers for the lake tests: write a seeded mixed workload through the real lake and S3 sinks,
 * and count rows per zone with DuckDB by their lineage key.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { defaultCatalogDir, loadSchemaFolder } from '../../collector/src/pipeline/schema/load-schema-folder.js';
import { buildLakeCatalog, type LakeCatalog } from '../../collector/src/lake/lake-catalog.js';
import { mixedWorkload, type Workload } from '../../collector/src/lake/__tests__/mixed-workload.js';

export async function catalogAndSchemas(): Promise<{ catalog: LakeCatalog; latest: Map<string, Record<string, unknown>> }> {
  const documents = (await loadSchemaFolder(defaultCatalogDir())).map((d) => d.schema as Record<string, unknown>);
  const latest = new Map<string, Record<string, unknown>>();
  for (const doc of documents) latest.set((doc['x-event'] as { name: string }).name, doc);
  return { catalog: buildLakeCatalog(documents), latest };
}

export function pastHourWorkload(seed: number, events: number, latest: Map<string, Record<string, unknown>>, types?: readonly string[]): Workload {
  // Hours long closed, on one source: few partitions, each written in several files.
  const schemas = types ? new Map([...latest].filter(([name]) => types.includes(name))) : latest;
  return mixedWorkload({ seed, events, schemas, startMs: Date.UTC(2026, 10, 1, 8, 30), stepMs: 1_500, sources: ['web-shop'] });
}

/** Per zone: rows, distinct lineage keys (requestId, walLsn, walIndex). */
export async function lineageCounts(root: string): Promise<Record<string, { rows: number; keys: number }>> {
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const out: Record<string, { rows: number; keys: number }> = {};
  try {
    for (const zone of ['raw', 'clean', 'failed', 'audit']) {
      const [row] = (await db.runAndReadAll(
        `select count(*) as rows, count(distinct (requestId, walLsn, walIndex)) as keys from read_parquet('${root}/${zone}/*/*/*/*/*.parquet')`,
      )).getRowObjectsJS() as { rows: bigint; keys: bigint }[];
      out[zone] = { rows: Number(row!.rows), keys: Number(row!.keys) };
    }
  } finally {
    db.closeSync();
  }
  return out;
}

/** Files per partition folder (relative path → names), `_tmp`/`_compact` excluded. */
export async function filesByPartition(root: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const rel = join(entry.parentPath, entry.name).slice(root.length + 1);
    if (rel.startsWith('_')) continue;
    const partition = rel.slice(0, rel.lastIndexOf('/'));
    out.set(partition, [...(out.get(partition) ?? []), entry.name].sort());
  }
  return out;
}
