/**
 * The lake's tables, derived from the schema catalog: the one source of truth for the column
 * names and types that the lake writers (NDJSON and Parquet, local and S3), the DuckDB views and
 * the Athena/Glue tables share, so a query written for one format or zone reads every other.
 *
 * An event table (zones `raw` and `clean`, one per event type) has
 * - the envelope's fields as typed columns (`timestamp` is the event time, `receivedAt` the
 *   collector's receive time, both TIMESTAMP in UTC);
 * - `context` as a STRUCT of the well-known context fields plus those the catalog names;
 * - `properties` (and `traits`) as a STRUCT with one typed field per property the catalog names
 *   in any version of that event (a new minor version adds fields; older files read NULL there),
 *   or as JSON for an event type the catalog does not know;
 * - `requestId`, `walLsn`, `walIndex`: the request and WAL position that produced the row;
 * - `extra` (JSON): every field the schema does not name, at its path, so nothing is lost;
 * - `invalid` (JSON): every value that does not fit its column's type, exactly as received, at
 *   its path, so one bad client value never changes a column's type.
 * The `failed` and `audit` zones have one fixed table each.
 *
 * JSON Schema → column: string → VARCHAR (format date-time → TIMESTAMP), number → DOUBLE,
 * integer → BIGINT, boolean → BOOLEAN, object with properties → STRUCT, array with items →
 * LIST, anything else (and anything the PII stage may encrypt into a string) → JSON.
 */
import type { LakeZone } from '@shopstream/shared';

export type ColumnType =
  | { readonly kind: 'varchar' | 'double' | 'bigint' | 'integer' | 'boolean' | 'timestamp' | 'json' }
  | { readonly kind: 'list'; readonly items: ColumnType }
  | { readonly kind: 'struct'; readonly fields: readonly Column[] };

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
}

/** One table of the lake: a zone and, for events, one event type (`Order Completed`). */
export interface TableSchema {
  readonly zone: LakeZone;
  /** Event name, `batch`/`<type>` for the failed zone, `request` for audit. */
  readonly eventType: string;
  readonly columns: readonly Column[];
}

/** A catalog schema: the parsed JSON of one `<slug>@<version>.json`. */
export type JsonSchemaDocument = Record<string, unknown>;

const t = <K extends 'varchar' | 'double' | 'bigint' | 'integer' | 'boolean' | 'timestamp' | 'json'>(kind: K) => ({ kind }) as const;
const col = (name: string, type: ColumnType): Column => ({ name, type });
const struct = (...fields: Column[]): ColumnType => ({ kind: 'struct', fields });
const VARCHAR = t('varchar');
const TIMESTAMP = t('timestamp');
const JSON_TYPE = t('json');

/**
 * Context fields every source may send (Segment's spec and the Shopstream SDKs); the catalog's
 * own `context` definitions are merged in. A context key not named here lands in `extra`.
 */
const CONTEXT_COLUMNS: readonly Column[] = [
  col('ip', VARCHAR),
  col('userAgent', VARCHAR),
  col('locale', VARCHAR),
  col('timezone', VARCHAR),
  col('library', struct(col('name', VARCHAR), col('version', VARCHAR))),
  col('page', struct(col('path', VARCHAR), col('referrer', VARCHAR), col('search', VARCHAR), col('title', VARCHAR), col('url', VARCHAR))),
  col('campaign', struct(col('name', VARCHAR), col('source', VARCHAR), col('medium', VARCHAR), col('term', VARCHAR), col('content', VARCHAR))),
  col('app', struct(col('name', VARCHAR), col('version', VARCHAR), col('build', VARCHAR))),
  col('device', struct(col('id', VARCHAR), col('type', VARCHAR), col('model', VARCHAR), col('manufacturer', VARCHAR))),
  col('os', struct(col('name', VARCHAR), col('version', VARCHAR))),
  col('screen', struct(col('width', t('bigint')), col('height', t('bigint')), col('density', t('double')))),
  col('traits', JSON_TYPE),
  col('sampleRate', t('double')),
  col('dropped', t('bigint')),
];

/** Envelope columns before the event-specific ones, in this order in every event table. */
const ENVELOPE_HEAD: readonly Column[] = [
  col('id', VARCHAR),
  col('type', VARCHAR),
  col('kind', VARCHAR),
  col('source', VARCHAR),
  col('anonymousId', VARCHAR),
  col('userId', VARCHAR),
  col('sessionId', VARCHAR),
  col('groupId', VARCHAR),
  col('previousId', VARCHAR),
  col('timestamp', TIMESTAMP),
  col('sentAt', TIMESTAMP),
  col('receivedAt', TIMESTAMP),
  col('schema', struct(col('name', VARCHAR), col('version', VARCHAR))),
  // Set by the collector: dedupe could not decide (Redis down, fail mode open), and values it
  // replaced (an unusable timestamp) as received.
  col('possibleDuplicate', t('boolean')),
  col('malformed', JSON_TYPE),
];

/** Where a row came from, and what did not fit: the last columns of every table, every zone. */
const LINEAGE_TAIL: readonly Column[] = [col('requestId', VARCHAR), col('walLsn', t('bigint')), col('walIndex', t('integer'))];
const LEFTOVER_TAIL: readonly Column[] = [col('extra', JSON_TYPE), col('invalid', JSON_TYPE)];

/** Column names every table ends with; writers fill them, never the payload. */
export const LAKE_SYSTEM_COLUMNS = ['requestId', 'walLsn', 'walIndex', 'extra', 'invalid'] as const;

const REASON = struct(col('code', VARCHAR), col('message', VARCHAR), col('stage', VARCHAR));

const FAILED_COLUMNS: readonly Column[] = [
  col('reason', REASON),
  col('source', VARCHAR),
  col('receivedAt', TIMESTAMP),
  col('item', JSON_TYPE),
  col('contentKind', VARCHAR),
  col('bodyBase64', VARCHAR),
  col('lsn', t('bigint')),
  // Dead letters: what a sink refused for good, and the record it refused (any zone's shape).
  col('deadLetter', struct(col('sink', VARCHAR), col('code', VARCHAR), col('message', VARCHAR))),
  col('zone', VARCHAR),
  col('record', JSON_TYPE),
  ...LINEAGE_TAIL,
  ...LEFTOVER_TAIL,
];

const AUDIT_COLUMNS: readonly Column[] = [
  col('source', VARCHAR),
  col('receivedAt', TIMESTAMP),
  col('lsn', t('bigint')),
  col('contentKind', VARCHAR),
  col('bytes', t('bigint')),
  col('accepted', t('bigint')),
  col('rejected', t('bigint')),
  col('duplicates', t('bigint')),
  col('failure', REASON),
  ...LINEAGE_TAIL,
  ...LEFTOVER_TAIL,
];

/** JSON Schema → column type; total: an unknown shape is JSON, never an error. */
export function columnTypeOf(schema: unknown): ColumnType {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return JSON_TYPE;
  const s = schema as Record<string, unknown>;
  // The PII stage may replace a non-string value with a string (encrypt): only JSON holds both.
  if (s['x-pii'] === 'encrypt' && s.type !== 'string') return JSON_TYPE;
  if ('const' in s) return typeof s.const === 'string' ? VARCHAR : JSON_TYPE;
  if (Array.isArray(s.enum)) return s.enum.every((v) => typeof v === 'string') ? VARCHAR : JSON_TYPE;
  switch (s.type) {
    case 'string':
      return s.format === 'date-time' ? TIMESTAMP : VARCHAR;
    case 'number':
      return t('double');
    case 'integer':
      return t('bigint');
    case 'boolean':
      return t('boolean');
    case 'array':
      return s.items && typeof s.items === 'object' && !Array.isArray(s.items) ? { kind: 'list', items: columnTypeOf(s.items) } : JSON_TYPE;
    case 'object': {
      const properties = s.properties;
      if (!properties || typeof properties !== 'object') return JSON_TYPE;
      const fields = Object.entries(properties as Record<string, unknown>).map(([name, sub]) => col(name, columnTypeOf(sub)));
      return fields.length === 0 ? JSON_TYPE : struct(...fields);
    }
    default:
      return JSON_TYPE;
  }
}

/**
 * Merges two types of the same field from two schema versions. Equal types stay; structs union
 * their fields (a minor version adds fields); anything that truly changed type becomes JSON, so
 * old and new files stay readable side by side.
 */
export function mergeColumnTypes(a: ColumnType, b: ColumnType): ColumnType {
  if (a.kind === 'struct' && b.kind === 'struct') return struct(...mergeColumns(a.fields, b.fields));
  if (a.kind === 'list' && b.kind === 'list') return { kind: 'list', items: mergeColumnTypes(a.items, b.items) };
  if (a.kind === b.kind && a.kind !== 'struct' && a.kind !== 'list') return a;
  if ((a.kind === 'double' && b.kind === 'bigint') || (a.kind === 'bigint' && b.kind === 'double')) return t('double');
  return JSON_TYPE;
}

export function mergeColumns(a: readonly Column[], b: readonly Column[]): Column[] {
  const out = new Map(a.map((c) => [c.name, c.type]));
  for (const c of b) {
    const known = out.get(c.name);
    out.set(c.name, known ? mergeColumnTypes(known, c.type) : c.type);
  }
  return [...out].map(([name, type]) => col(name, type));
}

function objectFieldType(schemas: readonly JsonSchemaDocument[], field: string): ColumnType | undefined {
  let merged: ColumnType | undefined;
  for (const schema of schemas) {
    const sub = (schema.properties as Record<string, unknown> | undefined)?.[field];
    if (sub === undefined) continue;
    const type = columnTypeOf(sub);
    merged = merged ? mergeColumnTypes(merged, type) : type;
  }
  return merged;
}

/**
 * The event table of one event type from all its catalog versions (empty: an event type the
 * catalog does not know, whose `properties` and `traits` are JSON).
 */
export function eventTableSchema(zone: 'raw' | 'clean', eventType: string, versions: readonly JsonSchemaDocument[]): TableSchema {
  const contextFromCatalog = objectFieldType(versions, 'context');
  const context = contextFromCatalog?.kind === 'struct' ? mergeColumns(CONTEXT_COLUMNS, contextFromCatalog.fields) : CONTEXT_COLUMNS;
  const properties = objectFieldType(versions, 'properties') ?? JSON_TYPE;
  const traits = objectFieldType(versions, 'traits') ?? JSON_TYPE;
  return {
    zone,
    eventType,
    columns: [...ENVELOPE_HEAD, col('context', struct(...context)), col('properties', properties), col('traits', traits), ...LINEAGE_TAIL, ...LEFTOVER_TAIL],
  };
}

/** The columns every event table shares (the envelope): what a view across all event types reads. */
export function eventEnvelopeColumns(): readonly Column[] {
  return [...ENVELOPE_HEAD, col('context', struct(...CONTEXT_COLUMNS)), ...LINEAGE_TAIL, ...LEFTOVER_TAIL];
}

/** The failed zone's one table, whatever the event type (the refused item is JSON). */
export function failedTableSchema(): TableSchema {
  return { zone: 'failed', eventType: '*', columns: FAILED_COLUMNS };
}

export function auditTableSchema(): TableSchema {
  return { zone: 'audit', eventType: 'request', columns: AUDIT_COLUMNS };
}
