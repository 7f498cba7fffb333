/**
 * One sink record → one lake row, shaped by its table (./table-schema.ts): the same JSON line
 * for NDJSON files and for the Parquet writer, so both formats hold the same columns and values.
 *
 * - A value that fits its column is kept (a timestamp is rewritten as ISO-8601 UTC, the same instant).
 * - A value that does not fit (a `total` of `"ten"`) moves to `invalid` at its path, exactly as
 *   received; the column reads NULL. One bad client value never changes a column's type.
 * - A field the table does not name moves to `extra` at its path; nothing is dropped.
 * - `kind` is always set (the catalog's kind for the event type, else `track`), `source` is the
 *   authenticated source, and `requestId`, `walLsn`, `walIndex` tie the row to its request and
 *   WAL position.
 * Total: it never throws. A record that is not a JSON object becomes a row holding only its
 * lineage and the record text in `invalid.record`, and is reported in `malformed`.
 */
import type { SinkRecord } from '../sinks/sink.js';
import type { Column, ColumnType, TableSchema } from './table-schema.js';

/** Leftovers keyed by path: `{ properties: { products: { "2": { price: "x" } } } }`. */
type Leftovers = Record<string, unknown>;

export interface LakeRowOptions {
  /** The kind an event of this type gets when it carries none (the catalog's `x-event.kind`). */
  readonly defaultKind?: string;
}

export interface LakeRow {
  /** The row as one JSON line (no newline). */
  readonly line: string;
  /** Set when the record could not be read as a JSON object: why. */
  readonly malformed?: string;
}

const YEAR_MIN_MS = Date.UTC(1, 0, 1);
const YEAR_MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function lakeRow(record: SinkRecord, table: TableSchema, options: LakeRowOptions = {}): LakeRow {
  try {
    const value: unknown = JSON.parse(record.json);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return fallbackRow(record, 'record is not a JSON object');
    return { line: JSON.stringify(shapeRow(value as Record<string, unknown>, record, table, options)) };
  } catch (error) {
    return fallbackRow(record, (error as Error).message);
  }
}

function shapeRow(source: Record<string, unknown>, record: SinkRecord, table: TableSchema, options: LakeRowOptions): Record<string, unknown> {
  const extra: Leftovers = {};
  const invalid: Leftovers = {};
  const row: Record<string, unknown> = {};
  const named = new Set<string>();
  for (const column of table.columns) {
    named.add(column.name);
    if (column.name === 'extra' || column.name === 'invalid') continue;
    const value = source[column.name];
    if (value === undefined) continue;
    const fitted = fit(value, column.type, [column.name], extra, invalid);
    if (fitted !== undefined) row[column.name] = fitted;
  }
  for (const key of Object.keys(source)) if (!named.has(key)) setAt(extra, [key], source[key]);
  // Lineage and identity come from the collector, never from the payload.
  if (table.zone === 'raw' || table.zone === 'clean') {
    if (typeof row.kind !== 'string') row.kind = options.defaultKind ?? 'track';
  }
  if (named.has('source')) row.source = record.source;
  if (record.requestId !== undefined) row.requestId = record.requestId;
  row.walLsn = record.lsn;
  row.walIndex = record.index;
  if (Object.keys(extra).length > 0) row.extra = extra;
  if (Object.keys(invalid).length > 0) row.invalid = invalid;
  return row;
}

/** The value as the column holds it, or undefined after moving it (or parts of it) aside. */
function fit(value: unknown, type: ColumnType, path: string[], extra: Leftovers, invalid: Leftovers): unknown {
  if (value === null) return null;
  switch (type.kind) {
    case 'json':
      return value;
    case 'varchar':
      if (typeof value === 'string') return value;
      break;
    case 'double':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      break;
    case 'bigint':
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value) && (type.kind === 'bigint' || Math.abs(value) <= 0x7fffffff)) return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'timestamp': {
      const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (ms >= YEAR_MIN_MS && ms <= YEAR_MAX_MS) return new Date(ms).toISOString();
      break;
    }
    case 'list':
      if (Array.isArray(value)) return value.map((item, i) => fit(item, type.items, [...path, String(i)], extra, invalid) ?? null);
      break;
    case 'struct':
      if (typeof value === 'object' && !Array.isArray(value)) return fitStruct(value as Record<string, unknown>, type.fields, path, extra, invalid);
      break;
  }
  setAt(invalid, path, value);
  return undefined;
}

function fitStruct(value: Record<string, unknown>, fields: readonly Column[], path: string[], extra: Leftovers, invalid: Leftovers): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const named = new Set<string>();
  for (const field of fields) {
    named.add(field.name);
    const sub = value[field.name];
    if (sub === undefined) continue;
    const fitted = fit(sub, field.type, [...path, field.name], extra, invalid);
    if (fitted !== undefined) out[field.name] = fitted;
  }
  for (const key of Object.keys(value)) if (!named.has(key)) setAt(extra, [...path, key], value[key]);
  return out;
}

function setAt(target: Leftovers, path: readonly string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Leftovers;
  }
  node[path[path.length - 1]!] = value;
}

function fallbackRow(record: SinkRecord, why: string): LakeRow {
  const row: Record<string, unknown> = { source: record.source };
  if (record.requestId !== undefined) row.requestId = record.requestId;
  row.walLsn = record.lsn;
  row.walIndex = record.index;
  row.invalid = { record: record.json };
  return { line: JSON.stringify(row), malformed: why };
}

/** One partition's records as lake rows (all share a zone and event type), with how many were malformed. */
export function lakeRows(records: readonly SinkRecord[], table: TableSchema, options: LakeRowOptions = {}): { lines: string[]; malformed: number } {
  const lines: string[] = [];
  let malformed = 0;
  for (const record of records) {
    const row = lakeRow(record, table, options);
    lines.push(row.line);
    if (row.malformed !== undefined) malformed++;
  }
  return { lines, malformed };
}
