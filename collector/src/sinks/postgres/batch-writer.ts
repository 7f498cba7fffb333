/**
 * Writes one batch in one transaction, so it lands whole or not at all:
 *
 *   BEGIN → stage every row (COPY into a temp table, or the `insert` method's multi-row
 *   VALUES) → per zone `INSERT INTO <table> SELECT … ON CONFLICT DO NOTHING` → COMMIT
 *
 * The conflict clause on each table's dedupe key (./zone-tables.ts) is what makes a replay
 * after a crash, a retry after a lost COMMIT answer, or a second collector store a row once.
 *
 * A row the database refuses (./classify-pg-error.ts) fails its whole statement. Each insert
 * runs under a savepoint; on a row error the range is rolled back and split in halves until
 * the refused rows stand alone, each with the database's own error, and every other row still
 * lands in the same transaction: k bad rows in n cost about 2·k·log2(n) extra statements (one
 * round trip each on the COPY path). The search has a time budget (`narrowBudgetMs`): once it has
 * settled at least one row (stored or refused) and the budget is spent, ranges not yet narrowed
 * come back as `unresolved` for the engine to send again, so a batch of mostly bad rows over a
 * slow link makes progress every write instead of timing out and starting over.
 * Any other error throws: the caller drops the connection and the engine retries the batch.
 */
import { finished } from 'node:stream/promises';
import type { Client, QueryResult } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SinkRecord } from '../sink.js';
import { isRowError } from './classify-pg-error.js';
import type { WriteMethod } from './postgres-config.js';
import { isPostgresZone, NODE_ID, qualified, quoteIdent, quoteLiteral, zoneTable, type PostgresZone, type ZoneTable } from './zone-tables.js';

/** The per-connection temp table COPY fills; emptied by every COMMIT and ROLLBACK. */
export const STAGE_TABLE = 'shopstream_stage';
export const STAGE_TABLE_SQL = `CREATE TEMP TABLE IF NOT EXISTS ${STAGE_TABLE} (n integer NOT NULL, zone text NOT NULL, idx integer NOT NULL, received_at timestamptz NOT NULL, doc text NOT NULL) ON COMMIT DELETE ROWS`;

/** Bind parameters per statement are capped at 65,535 by the protocol; 4 per row. */
const VALUES_ROWS_MAX = 16_000;

export interface RefusedRow {
  readonly record: SinkRecord;
  readonly error: Error;
}

export interface BatchReport {
  /** Rows new to the table (the rest were already there: a replay or a second collector). */
  readonly inserted: number;
  readonly refused: readonly RefusedRow[];
  /** Rows in ranges the narrowing had no time left for: neither stored nor refused; send again. */
  readonly unresolved: readonly SinkRecord[];
}

export interface NarrowBudget {
  readonly budgetMs: number;
  readonly now: () => number;
}

interface Staged {
  readonly n: number;
  readonly record: SinkRecord;
  readonly receivedAt: string;
}

/**
 * Inserts one range of staged rows under a savepoint; on a row error rolls back to it and
 * throws the database's error. Answers the rows inserted.
 */
type InsertRange = (table: ZoneTable, rows: readonly Staged[]) => Promise<number>;

/** Where a batch goes: the schema, how rows travel, and the node id that keys rows without a request id. */
export interface WriteTarget {
  readonly schema: string;
  readonly method: WriteMethod;
  readonly nodeId: string;
}

export async function writeBatch(client: Client, target: WriteTarget, records: readonly SinkRecord[], budget: NarrowBudget): Promise<BatchReport> {
  const refused: RefusedRow[] = [];
  const byZone = new Map<PostgresZone, Staged[]>();
  let lastMs = Number.NaN;
  let lastIso = '';
  records.forEach((record, n) => {
    if (!isPostgresZone(record.zone)) {
      refused.push({ record, error: new Error(`the postgres sink has no table for zone ${record.zone} (route only clean, failed and audit to it)`) });
      return;
    }
    if (record.receivedAtMs !== lastMs) {
      lastMs = record.receivedAtMs;
      lastIso = new Date(lastMs).toISOString();
    }
    const list = byZone.get(record.zone) ?? [];
    list.push({ n, record, receivedAt: lastIso });
    byZone.set(record.zone, list);
  });
  if (byZone.size === 0) return { inserted: 0, refused, unresolved: [] };
  await client.query('BEGIN');
  try {
    let insertRange: InsertRange;
    if (target.method === 'copy') {
      await copyStage(client, [...byZone.values()].flat());
      insertRange = (table, rows) => insertFromStage(client, target, table, rows);
    } else {
      insertRange = (table, rows) => underSavepoint(client, () => insertValues(client, target, table, rows));
    }
    const search: Search = { refused, unresolved: [], deadlineMs: budget.now() + budget.budgetMs, now: budget.now, progressed: false };
    let inserted = 0;
    for (const [zone, rows] of byZone) inserted += await insertNarrowing(zoneTable(zone), rows, insertRange, search);
    await client.query('COMMIT');
    return { inserted, refused, unresolved: search.unresolved };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

interface Search {
  readonly refused: RefusedRow[];
  readonly unresolved: SinkRecord[];
  readonly deadlineMs: number;
  readonly now: () => number;
  /** A range stored or a row refused: until then the budget is ignored, so every write settles some rows. */
  progressed: boolean;
}

/** Inserts `rows`; on a row error splits the range in halves until refused rows stand alone. */
async function insertNarrowing(table: ZoneTable, rows: readonly Staged[], insertRange: InsertRange, search: Search): Promise<number> {
  try {
    const inserted = await insertRange(table, rows);
    search.progressed = true;
    return inserted;
  } catch (error) {
    if (!isRowError(error)) throw error;
    if (rows.length === 1) {
      search.refused.push({ record: rows[0]!.record, error: error as Error });
      search.progressed = true;
      return 0;
    }
    const half = rows.length >>> 1;
    let inserted = 0;
    for (const part of [rows.slice(0, half), rows.slice(half)]) {
      if (search.progressed && search.now() >= search.deadlineMs) {
        for (const row of part) search.unresolved.push(row.record);
        continue;
      }
      inserted += await insertNarrowing(table, part, insertRange, search);
    }
    return inserted;
  }
}

async function underSavepoint(client: Client, run: () => Promise<number>): Promise<number> {
  await client.query('SAVEPOINT shopstream_range');
  try {
    const inserted = await run();
    await client.query('RELEASE SAVEPOINT shopstream_range');
    return inserted;
  } catch (error) {
    if (isRowError(error)) await client.query('ROLLBACK TO SAVEPOINT shopstream_range; RELEASE SAVEPOINT shopstream_range');
    throw error;
  }
}

/**
 * `OFFSET 0` keeps the planner from pulling the subquery up into the INSERT's select list, where
 * `doc::jsonb` would be parsed once per column that reads it (18 times a row) instead of once.
 */
const PARSE_ONCE = 'OFFSET 0';

function insertPrefix(target: WriteTarget, table: ZoneTable): string {
  const columns = table.columns.map((c) => quoteIdent(c.name)).join(', ');
  const select = table.columns.map((c) => c.from.replaceAll(NODE_ID, quoteLiteral(target.nodeId))).join(', ');
  return `INSERT INTO ${qualified(target.schema, table.table)} (${columns}) SELECT ${select} FROM `;
}

/** COPY text format: tab-separated, with backslash, newline, CR and tab escaped in values. */
const COPY_ESCAPE = /[\\\n\r\t]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const copyText = (value: string) => value.replace(COPY_ESCAPE, (c) => COPY_ESCAPES[c]!);

async function copyStage(client: Client, rows: readonly Staged[]): Promise<void> {
  let text = '';
  for (const { n, record, receivedAt } of rows) text += `${n}\t${record.zone}\t${record.index}\t${receivedAt}\t${copyText(record.json)}\n`;
  const stream = client.query(copyFrom(`COPY ${STAGE_TABLE} (n, zone, idx, received_at, doc) FROM STDIN`));
  stream.end(Buffer.from(text, 'utf8'));
  await finished(stream);
}

/** One round trip: savepoint, insert and release in one simple query (the bounds are integers, inlined). */
async function insertFromStage(client: Client, target: WriteTarget, table: ZoneTable, rows: readonly Staged[]): Promise<number> {
  const range = `zone = ${quoteLiteral(table.zone)} AND n BETWEEN ${rows[0]!.n | 0} AND ${rows[rows.length - 1]!.n | 0}`;
  const insert = `${insertPrefix(target, table)}(SELECT n, idx, received_at, doc::jsonb AS d FROM ${STAGE_TABLE} WHERE ${range} ${PARSE_ONCE}) s ON CONFLICT DO NOTHING`;
  try {
    const results = (await client.query(`SAVEPOINT shopstream_range; ${insert}; RELEASE SAVEPOINT shopstream_range`)) as unknown as QueryResult[];
    return results[1]?.rowCount ?? 0;
  } catch (error) {
    if (isRowError(error)) await client.query('ROLLBACK TO SAVEPOINT shopstream_range; RELEASE SAVEPOINT shopstream_range');
    throw error;
  }
}

/** The `insert` method (and the benchmark's baseline): multi-row INSERT … ON CONFLICT DO NOTHING. */
async function insertValues(client: Client, target: WriteTarget, table: ZoneTable, rows: readonly Staged[]): Promise<number> {
  let inserted = 0;
  for (let at = 0; at < rows.length; at += VALUES_ROWS_MAX) {
    const part = rows.slice(at, at + VALUES_ROWS_MAX);
    const params: unknown[] = [];
    const tuples = part.map(({ n, record, receivedAt }, i) => {
      params.push(n, record.index, receivedAt, record.json);
      const p = i * 4;
      return i === 0 ? `($1::integer, $2::integer, $3::timestamptz, $4::text)` : `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4})`;
    });
    const source = `(SELECT v.n, v.idx, v.received_at, v.doc::jsonb AS d FROM (VALUES ${tuples.join(', ')}) AS v(n, idx, received_at, doc) ${PARSE_ONCE}) s`;
    const result = await client.query(`${insertPrefix(target, table)}${source} ON CONFLICT DO NOTHING`, params);
    inserted += result.rowCount ?? 0;
  }
  return inserted;
}
