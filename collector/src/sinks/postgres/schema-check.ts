/**
 * Before the first write: is the schema what this collector writes? `ready` only when the
 * version table says `SCHEMA_VERSION` and every table has the columns the inserts name. A
 * missing schema is set up when `migrate: true` (under an advisory lock, so two collectors
 * starting together do it once), else it is an error naming the command that prints the SQL.
 * A schema of another version, or tables without a version table, is never touched: that is an
 * error an operator must resolve, because writing into it could corrupt someone's data.
 */
import type { Client } from 'pg';
import { CollectorError } from '../../errors.js';
import type { LakeCatalog } from '../../lake/lake-catalog.js';
import { SCHEMA_VERSION, schemaSql, VERSION_TABLE } from './schema-sql.js';
import { qualified, ZONE_TABLES } from './zone-tables.js';

export type SchemaState = { readonly status: 'ready' } | { readonly status: 'missing' } | { readonly status: 'incompatible'; readonly reason: string };

export async function inspectSchema(client: Client, schema: string): Promise<SchemaState> {
  const tables = await client.query<{ table_name: string; column_name: string }>(
    'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1',
    [schema],
  );
  const columns = new Map<string, Set<string>>();
  for (const row of tables.rows) columns.set(row.table_name, (columns.get(row.table_name) ?? new Set()).add(row.column_name));
  const ours = ZONE_TABLES.filter((t) => columns.has(t.table));
  if (!columns.has(VERSION_TABLE)) {
    if (ours.length === 0) return { status: 'missing' };
    return { status: 'incompatible', reason: `schema "${schema}" has ${ours.map((t) => t.table).join(', ')} but no ${VERSION_TABLE} table: it was not set up by this collector` };
  }
  const versions = await client.query<{ version: number }>(`SELECT version FROM ${qualified(schema, VERSION_TABLE)} ORDER BY version DESC LIMIT 1`);
  const version = versions.rows[0]?.version;
  if (version !== SCHEMA_VERSION) {
    return { status: 'incompatible', reason: `schema "${schema}" is at version ${version ?? 'none'}, this collector writes version ${SCHEMA_VERSION}` };
  }
  for (const table of ZONE_TABLES) {
    const missing = table.columns.filter((c) => !columns.get(table.table)?.has(c.name)).map((c) => c.name);
    if (missing.length > 0) return { status: 'incompatible', reason: `table "${schema}"."${table.table}" lacks column(s) ${missing.join(', ')}` };
  }
  return { status: 'ready' };
}

export async function applySchema(client: Client, schema: string, catalog: LakeCatalog): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`shopstream-migrate:${schema}`]);
    for (const statement of schemaSql(schema, catalog)) await client.query(statement);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Makes the schema ready or throws a CollectorError. With `migrate`, a ready schema is also
 * brought up to date (views regenerated from the current catalog); the SQL is idempotent.
 */
export async function ensureSchema(client: Client, options: { schema: string; migrate: boolean; catalog: LakeCatalog; sinkName: string }): Promise<void> {
  const state = await inspectSchema(client, options.schema);
  if (state.status === 'incompatible') {
    throw new CollectorError('COLLECTOR_SINK_SCHEMA_INCOMPATIBLE', `postgres sink ${options.sinkName}: ${state.reason}; refusing to write (migrate it, or point the sink at another schema)`);
  }
  if (!options.migrate) {
    if (state.status === 'missing') {
      throw new CollectorError(
        'COLLECTOR_SINK_SCHEMA_MISSING',
        `postgres sink ${options.sinkName}: schema "${options.schema}" is not set up; set migrate: true, or have a DBA run the SQL from \`shopstream-collector sink sql ${options.sinkName}\``,
      );
    }
    return;
  }
  await applySchema(client, options.schema, options.catalog);
  const after = await inspectSchema(client, options.schema);
  if (after.status !== 'ready') throw new CollectorError('COLLECTOR_SINK_SCHEMA_INCOMPATIBLE', `postgres sink ${options.sinkName}: schema "${options.schema}" is not usable after migrating`);
}
