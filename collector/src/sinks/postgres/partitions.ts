/**
 * Day partitions (UTC) of the zone tables: created `aheadDays` ahead (and for yesterday, for
 * late events), dropped once wholly older than `retentionDays`. Rows whose day has no partition
 * land in `<table>_default`; when a partition is created for a day the default already holds
 * rows of (a client clock days ahead), those rows are moved into it in the same transaction,
 * because PostgreSQL refuses to create a partition that the default partition overlaps.
 *
 * One collector of a fleet does the work at a time (a transaction-scoped advisory lock; the
 * others skip), so two collectors never race on the same DDL.
 */
import type { Client } from 'pg';
import { defaultPartitionName } from './schema-sql.js';
import type { PartitionConfig } from './postgres-config.js';
import { qualified, quoteIdent, quoteLiteral, ZONE_TABLES, type ZoneTable } from './zone-tables.js';

const DAY_MS = 86_400_000;
const PARTITION_SUFFIX = /_p(\d{4})(\d{2})(\d{2})$/;

export interface PartitionChanges {
  readonly created: readonly string[];
  readonly dropped: readonly string[];
  /** Another collector held the lock: nothing was done. */
  readonly skipped: boolean;
}

export function dayPartitionName(table: ZoneTable, dayStartMs: number): string {
  return `${table.table}_p${new Date(dayStartMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

const dayStart = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
const isoDay = (ms: number) => new Date(ms).toISOString();

export async function maintainPartitions(client: Client, schema: string, config: PartitionConfig, nowMs: number): Promise<PartitionChanges> {
  const created: string[] = [];
  const dropped: string[] = [];
  await client.query('BEGIN');
  try {
    const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [`shopstream-partitions:${schema}`]);
    if (!lock.rows[0]?.ok) {
      await client.query('ROLLBACK');
      return { created, dropped, skipped: true };
    }
    const today = dayStart(nowMs);
    for (const table of ZONE_TABLES) {
      const existing = await listDayPartitions(client, schema, table);
      for (let day = today - DAY_MS; day <= today + config.aheadDays * DAY_MS; day += DAY_MS) {
        const name = dayPartitionName(table, day);
        if (existing.has(name)) continue;
        await createDayPartition(client, schema, table, name, day);
        created.push(name);
      }
      if (config.retentionDays !== undefined) {
        const cutoff = today - config.retentionDays * DAY_MS;
        for (const [name, day] of existing) {
          if (day + DAY_MS > cutoff) continue;
          await client.query(`DROP TABLE ${qualified(schema, name)}`);
          dropped.push(name);
        }
        await client.query(`DELETE FROM ${qualified(schema, defaultPartitionName(table))} WHERE ${quoteIdent(table.partitionColumn)} < $1`, [isoDay(cutoff)]);
      }
    }
    await client.query('COMMIT');
    return { created, dropped, skipped: false };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Day partitions of `table` by name, with their first day (epoch ms). */
async function listDayPartitions(client: Client, schema: string, table: ZoneTable): Promise<Map<string, number>> {
  const result = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace
      WHERE n.nspname = $1 AND p.relname = $2`,
    [schema, table.table],
  );
  const days = new Map<string, number>();
  for (const { name } of result.rows) {
    const m = PARTITION_SUFFIX.exec(name);
    if (m && name === `${table.table}${m[0]}`) days.set(name, Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  }
  return days;
}

async function createDayPartition(client: Client, schema: string, table: ZoneTable, name: string, day: number): Promise<void> {
  const parent = qualified(schema, table.table);
  const bounds = `FROM (${quoteLiteral(isoDay(day))}) TO (${quoteLiteral(isoDay(day + DAY_MS))})`;
  await client.query('SAVEPOINT shopstream_partition');
  try {
    await client.query(`CREATE TABLE ${qualified(schema, name)} PARTITION OF ${parent} FOR VALUES ${bounds}`);
    await client.query('RELEASE SAVEPOINT shopstream_partition');
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '23514') throw error; // not "the default partition holds rows of this day"
    await client.query('ROLLBACK TO SAVEPOINT shopstream_partition');
  }
  const defaultPartition = qualified(schema, defaultPartitionName(table));
  const column = quoteIdent(table.partitionColumn);
  await client.query(`CREATE TABLE ${qualified(schema, name)} (LIKE ${parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
  await client.query(
    `WITH moved AS (DELETE FROM ${defaultPartition} WHERE ${column} >= $1 AND ${column} < $2 RETURNING *) INSERT INTO ${qualified(schema, name)} SELECT * FROM moved`,
    [isoDay(day), isoDay(day + DAY_MS)],
  );
  await client.query(`ALTER TABLE ${parent} ATTACH PARTITION ${qualified(schema, name)} FOR VALUES ${bounds}`);
}
