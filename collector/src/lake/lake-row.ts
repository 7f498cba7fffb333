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

/** Column names of a struct or table, computed once per column list (tables are cached by the catalog). */
const namesOf = new WeakMap<readonly Column[], Set<string>>();
function names(columns: readonly Column[]): Set<string> {
  let set = namesOf.get(columns);
  if (!set) namesOf.set(columns, (set = new Set(columns.map((c) => c.name))));
  return set;
}

/** The path of the value being fitted: a stack pushed and popped, copied only when a leftover is kept. */
type Path = string[];

function shapeRow(source: Record<string, unknown>, record: SinkRecord, table: TableSchema, options: LakeRowOptions): Record<string, unknown> {
  const leftovers: Leftovers2 = { extra: undefined, invalid: undefined };
  const row: Record<string, unknown> = {};
  const path: Path = [];
  for (const column of table.columns) {
    const value = source[column.name];
    if (value === undefined || column.name === 'extra' || column.name === 'invalid') continue;
    path.push(column.name);
    const fitted = fit(value, column.type, path, leftovers);
    path.pop();
    if (fitted !== undefined) row[column.name] = fitted;
  }
  const named = names(table.columns);
  for (const key in source) if (!named.has(key)) setAt((leftovers.extra ??= {}), [key], source[key]);
  // Lineage and identity come from the collector, never from the payload.
  if (table.zone === 'raw' || table.zone === 'clean') {
    if (typeof row.kind !== 'string') row.kind = options.defaultKind ?? 'track';
  }
  if (named.has('source')) row.source = record.source;
  if (record.requestId !== undefined) row.requestId = record.requestId;
  row.walLsn = record.lsn;
  row.walIndex = record.index;
  if (leftovers.extra) row.extra = leftovers.extra;
  if (leftovers.invalid) row.invalid = leftovers.invalid;
  return row;
}

/** Made on first use: most rows have neither. */
interface Leftovers2 {
  extra: Leftovers | undefined;
  invalid: Leftovers | undefined;
}

/** The value as the column holds it, or undefined after moving it (or parts of it) aside. */
function fit(value: unknown, type: ColumnType, path: Path, leftovers: Leftovers2): unknown {
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
      if (Array.isArray(value)) {
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          path.push(String(i));
          out[i] = fit(value[i], type.items, path, leftovers) ?? null;
          path.pop();
        }
        return out;
      }
      break;
    case 'struct':
      if (typeof value === 'object' && !Array.isArray(value)) return fitStruct(value as Record<string, unknown>, type.fields, path, leftovers);
      break;
  }
  setAt((leftovers.invalid ??= {}), path, value);
  return undefined;
}

function fitStruct(value: Record<string, unknown>, fields: readonly Column[], path: Path, leftovers: Leftovers2): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const sub = value[field.name];
    if (sub === undefined) continue;
    path.push(field.name);
    const fitted = fit(sub, field.type, path, leftovers);
    path.pop();
    if (fitted !== undefined) out[field.name] = fitted;
  }
  const named = names(fields);
  for (const key in value) {
    if (named.has(key)) continue;
    path.push(key);
    setAt((leftovers.extra ??= {}), path, value[key]);
    path.pop();
  }
  return out;
}

function setAt(target: Leftovers, path: readonly string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) define(node, key, {});
    node = node[key] as Leftovers;
  }
  define(node, path[path.length - 1]!, value);
}

/** An own property even for `__proto__`, which plain assignment would turn into a prototype. */
function define(node: Leftovers, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  else node[key] = value;
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
