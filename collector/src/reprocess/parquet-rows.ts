/**
 * Parquet lake files read back as the lake rows they were written from (../lake/lake-row.ts), so
 * the rest of reprocessing treats both formats alike. DuckDB (in process, as the writer) copies the
 * file to JSON lines; then, guided by the row's table (the same catalog the writer used):
 * - a typed column or struct field that reads NULL was absent in the row (Parquet has every
 *   field of the struct): removed; NULL list items stay (an `invalid` value may fill the slot);
 * - TIMESTAMP values come back as `2026-12-05 17:00:00.123` (UTC): ISO-8601 again, as written;
 * - JSON columns (`extra`, `invalid`, `item`, `record`, properties of custom events) are kept
 *   exactly, their NULLs included: they are the client's data.
 */
import { readFile, rm } from 'node:fs/promises';
import type { DuckdbSession } from '../lake/duckdb-session.js';
import type { LakeCatalog } from '../lake/lake-catalog.js';
import { quoteLiteral } from '../lake/sql-types.js';
import type { Column, ColumnType } from '../lake/table-schema.js';
import type { LakeZone } from '@shopstream/shared';

type Json = Record<string, unknown>;

export async function readParquetRows(session: DuckdbSession, path: string, jsonPath: string, zone: LakeZone, catalog: LakeCatalog): Promise<Json[]> {
  await session.run(`COPY (SELECT * FROM read_parquet(${quoteLiteral(path)}, hive_partitioning = false)) TO ${quoteLiteral(jsonPath)} (FORMAT JSON)`);
  const text = await readFile(jsonPath, 'utf8');
  await rm(jsonPath, { force: true });
  const rows: Json[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const row = JSON.parse(line) as Json;
    rows.push(fitColumns(row, catalog.table(zone, typeof row.type === 'string' ? row.type : 'unknown').columns));
  }
  return rows;
}

function fitColumns(value: Json, columns: readonly Column[]): Json {
  const out: Json = {};
  const typed = new Map(columns.map((c) => [c.name, c.type]));
  for (const key of Object.keys(value)) {
    const type = typed.get(key);
    const fitted = type ? fit(value[key], type) : value[key];
    if (fitted !== null && fitted !== undefined) out[key] = fitted;
  }
  return out;
}

function fit(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'timestamp':
      return typeof value === 'string' ? isoOf(value) : value;
    case 'struct':
      return typeof value === 'object' && !Array.isArray(value) ? fitColumns(value as Json, type.fields) : value;
    case 'list':
      return Array.isArray(value) ? value.map((item) => fit(item, type.items)) : value;
    default:
      return value;
  }
}

const DUCKDB_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/;

function isoOf(text: string): string {
  const match = DUCKDB_TIMESTAMP.exec(text);
  if (!match) return text;
  const ms = Date.parse(`${match[1]}T${match[2]}Z`);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}
