/**
 * The three tables the postgres sink writes, one per zone, each declared once here: its
 * columns (DDL), its primary key (the dedupe key of `INSERT … ON CONFLICT DO NOTHING`), the
 * time column it is partitioned by (one partition per UTC day), and how each column is read
 * from a staged row. Staged rows carry the record's JSON as `d jsonb`, the collector's receive
 * time `received_at` and the record's `idx` in its WAL record; the rest is read in SQL, so the
 * collector does no JSON parsing for this sink.
 *
 * Dedupe keys (why a replay, a retry or a second collector stores a row once):
 * - clean `events`: (event_id, event_at); `event_at` is the client's `timestamp`, identical in
 *   every copy of an event, and a primary key of a partitioned table must hold its partition key.
 * - failed `failed_events`: (request_id, position, received_at): a WAL record's records are cut
 *   the same way on every replay.
 * - audit `requests`: (request_id, received_at): one row per request the collector acknowledged.
 */
import type { LakeZone } from '@shopstream/shared';

export type PostgresZone = Extract<LakeZone, 'clean' | 'failed' | 'audit'>;
export const POSTGRES_ZONES: readonly PostgresZone[] = ['clean', 'failed', 'audit'];

export interface ZoneColumn {
  readonly name: string;
  readonly type: string;
  /** SQL over the staged row `s` (`s.d` is the record's JSON as jsonb); `NODE_ID` stands for the collector's node id. */
  readonly from: string;
}

export interface ZoneTable {
  readonly zone: PostgresZone;
  readonly table: string;
  readonly columns: readonly ZoneColumn[];
  readonly primaryKey: readonly string[];
  readonly partitionColumn: string;
  /**
   * Index definitions (column lists) beside the primary key: the usual questions. Time alone is
   * a BRIN index: rows arrive nearly in time order, so a few KB per partition answer time ranges
   * and cost almost nothing per insert (a btree there costs as much as the heap write).
   */
  readonly indexes: readonly { readonly name: string; readonly on: string; readonly where?: string; readonly using?: 'brin' }[];
}

/** Envelope keys with their own column; any other top-level key goes into `extra`. */
const ENVELOPE_KEYS = ['id', 'type', 'kind', 'source', 'userId', 'anonymousId', 'sessionId', 'groupId', 'previousId', 'timestamp', 'sentAt', 'receivedAt', 'schema', 'context', 'properties', 'traits'];
/**
 * A client time read as timestamptz only when it is a well-formed ISO-8601 UTC/offset time, NULL
 * otherwise, so a bad `sentAt` never fails a row (PostgreSQL 15 has no non-throwing cast). What
 * the pattern lets through and the cast still refuses (Feb 30) is a row error: dead-lettered.
 */
export function isoTime(expression: string): string {
  const pattern = String.raw`^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)$`;
  return `CASE WHEN ${expression} ~ '${pattern}' THEN (${expression})::timestamptz END`;
}

/** Replaced by the writing collector's node id (a literal) in the insert statement. */
export const NODE_ID = '{{node_id}}';

const sqlTextArray = (items: readonly string[]) => `ARRAY[${items.map((k) => `'${k}'`).join(',')}]::text[]`;

export const EVENTS_TABLE: ZoneTable = {
  zone: 'clean',
  table: 'events',
  columns: [
    { name: 'event_id', type: 'text NOT NULL', from: `s.d->>'id'` },
    { name: 'event_at', type: 'timestamptz NOT NULL', from: `COALESCE(${isoTime(`s.d->>'timestamp'`)}, s.received_at)` },
    { name: 'event_type', type: 'text NOT NULL', from: `s.d->>'type'` },
    { name: 'kind', type: 'text', from: `s.d->>'kind'` },
    { name: 'source', type: 'text', from: `s.d->>'source'` },
    { name: 'user_id', type: 'text', from: `s.d->>'userId'` },
    { name: 'anonymous_id', type: 'text', from: `s.d->>'anonymousId'` },
    { name: 'session_id', type: 'text', from: `s.d->>'sessionId'` },
    { name: 'group_id', type: 'text', from: `s.d->>'groupId'` },
    { name: 'previous_id', type: 'text', from: `s.d->>'previousId'` },
    { name: 'sent_at', type: 'timestamptz', from: isoTime(`s.d->>'sentAt'`) },
    { name: 'received_at', type: 'timestamptz NOT NULL', from: 's.received_at' },
    { name: 'schema_name', type: 'text', from: `s.d->'schema'->>'name'` },
    { name: 'schema_version', type: 'text', from: `s.d->'schema'->>'version'` },
    { name: 'context', type: 'jsonb', from: `s.d->'context'` },
    { name: 'properties', type: 'jsonb', from: `s.d->'properties'` },
    { name: 'traits', type: 'jsonb', from: `s.d->'traits'` },
    { name: 'extra', type: 'jsonb', from: `NULLIF(s.d - ${sqlTextArray(ENVELOPE_KEYS)}, '{}'::jsonb)` },
  ],
  primaryKey: ['event_id', 'event_at'],
  partitionColumn: 'event_at',
  indexes: [
    { name: 'user_time', on: 'user_id, event_at', where: 'user_id IS NOT NULL' },
    { name: 'anonymous_time', on: 'anonymous_id, event_at', where: 'anonymous_id IS NOT NULL' },
    { name: 'type_time', on: 'event_type, event_at' },
    { name: 'time', on: 'event_at', using: 'brin' },
  ],
};

export const FAILED_TABLE: ZoneTable = {
  zone: 'failed',
  table: 'failed_events',
  columns: [
    // A WAL record that could not be decoded has no request id: its node and WAL position stand in.
    { name: 'request_id', type: 'text NOT NULL', from: `COALESCE(s.d->>'requestId', ${NODE_ID} || ':lsn:' || (s.d->>'lsn'))` },
    { name: 'position', type: 'integer NOT NULL', from: 's.idx' },
    { name: 'received_at', type: 'timestamptz NOT NULL', from: 's.received_at' },
    { name: 'source', type: 'text', from: `s.d->>'source'` },
    { name: 'event_id', type: 'text', from: `s.d->'item'->>'id'` },
    { name: 'event_type', type: 'text', from: `s.d->'item'->>'type'` },
    { name: 'reason_code', type: 'text', from: `s.d->'reason'->>'code'` },
    { name: 'reason_message', type: 'text', from: `s.d->'reason'->>'message'` },
    { name: 'stage', type: 'text', from: `s.d->'reason'->>'stage'` },
    { name: 'item', type: 'jsonb', from: `s.d->'item'` },
    { name: 'body_base64', type: 'text', from: `s.d->>'bodyBase64'` },
  ],
  primaryKey: ['request_id', 'position', 'received_at'],
  partitionColumn: 'received_at',
  indexes: [
    { name: 'time', on: 'received_at', using: 'brin' },
    { name: 'reason_time', on: 'reason_code, received_at' },
  ],
};

export const REQUESTS_TABLE: ZoneTable = {
  zone: 'audit',
  table: 'requests',
  columns: [
    { name: 'request_id', type: 'text NOT NULL', from: `s.d->>'requestId'` },
    { name: 'received_at', type: 'timestamptz NOT NULL', from: 's.received_at' },
    { name: 'source', type: 'text', from: `s.d->>'source'` },
    { name: 'lsn', type: 'bigint', from: `(s.d->>'lsn')::bigint` },
    { name: 'content_kind', type: 'text', from: `s.d->>'contentKind'` },
    { name: 'bytes', type: 'integer', from: `(s.d->>'bytes')::integer` },
    { name: 'accepted', type: 'integer', from: `(s.d->>'accepted')::integer` },
    { name: 'rejected', type: 'integer', from: `(s.d->>'rejected')::integer` },
    { name: 'duplicates', type: 'integer', from: `(s.d->>'duplicates')::integer` },
    { name: 'failure', type: 'jsonb', from: `s.d->'failure'` },
  ],
  primaryKey: ['request_id', 'received_at'],
  partitionColumn: 'received_at',
  indexes: [{ name: 'time', on: 'received_at', using: 'brin' }, { name: 'source_time', on: 'source, received_at' }],
};

export const ZONE_TABLES: readonly ZoneTable[] = [EVENTS_TABLE, FAILED_TABLE, REQUESTS_TABLE];

export function zoneTable(zone: PostgresZone): ZoneTable {
  return ZONE_TABLES.find((t) => t.zone === zone)!;
}

export function isPostgresZone(zone: LakeZone): zone is PostgresZone {
  return (POSTGRES_ZONES as readonly string[]).includes(zone);
}

/** `"shopstream"."events"`: identifiers are quoted everywhere, so any schema name works. */
export function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
