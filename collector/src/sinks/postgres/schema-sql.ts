/**
 * The SQL that sets up a schema for the postgres sink: what `migrate: true` runs at start and
 * what `shopstream-collector sink sql <name>` prints for a DBA. Idempotent (`IF NOT EXISTS`,
 * views replaced), so running it twice is harmless.
 *
 * Version 1: `schema_version`; `events`, `failed_events`, `requests` partitioned by day, each
 * with a DEFAULT partition (rows whose day has no partition yet: far-off client clocks, or a
 * collector not allowed to create partitions) and its indexes; one view per catalog event
 * (./catalog-views.ts). Bump `SCHEMA_VERSION` when a table changes; the sink then refuses to
 * start against the old one until it is migrated.
 */
import type { LakeCatalog } from '../../lake/lake-catalog.js';
import { catalogViewsSql } from './catalog-views.js';
import { qualified, quoteIdent, quoteLiteral, ZONE_TABLES, type ZoneTable } from './zone-tables.js';

export const SCHEMA_VERSION = 1;
export const VERSION_TABLE = 'schema_version';

export function defaultPartitionName(table: ZoneTable): string {
  return `${table.table}_default`;
}

export function tableSql(schema: string, table: ZoneTable): string[] {
  const name = qualified(schema, table.table);
  const columns = table.columns.map((c) => `  ${quoteIdent(c.name)} ${c.type}`).join(',\n');
  return [
    `CREATE TABLE IF NOT EXISTS ${name} (\n${columns},\n  PRIMARY KEY (${table.primaryKey.map(quoteIdent).join(', ')})\n) PARTITION BY RANGE (${quoteIdent(table.partitionColumn)})`,
    `CREATE TABLE IF NOT EXISTS ${qualified(schema, defaultPartitionName(table))} PARTITION OF ${name} DEFAULT`,
    ...table.indexes.map(
      (index) =>
        `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table.table}_${index.name}_idx`)} ON ${name}${index.using ? ` USING ${index.using}` : ''} (${index.on})${index.where ? ` WHERE ${index.where}` : ''}`,
    ),
  ];
}

/** Every statement of the current version, in order; the caller runs them in one transaction. */
export function schemaSql(schema: string, catalog: LakeCatalog): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`,
    `CREATE TABLE IF NOT EXISTS ${qualified(schema, VERSION_TABLE)} (\n  version integer PRIMARY KEY,\n  applied_at timestamptz NOT NULL DEFAULT now(),\n  applied_by text NOT NULL\n)`,
    ...ZONE_TABLES.flatMap((table) => tableSql(schema, table)),
    ...catalogViewsSql(schema, catalog),
    `INSERT INTO ${qualified(schema, VERSION_TABLE)} (version, applied_by) VALUES (${SCHEMA_VERSION}, ${quoteLiteral('shopstream-collector')}) ON CONFLICT (version) DO NOTHING`,
  ];
}

/** The script a DBA runs: one transaction, with comments saying what it is. */
export function schemaScript(schema: string, catalog: LakeCatalog): string {
  const statements = schemaSql(schema, catalog);
  return [
    `-- Shopstream postgres sink: schema ${schema}, version ${SCHEMA_VERSION} (views for ${catalog.eventTypes.length} catalog events).`,
    '-- Safe to run again. Day partitions are created by the collector (partitions.manage), or land in *_default.',
    'BEGIN;',
    ...statements.map((s) => `${s};`),
    'COMMIT;',
    '',
  ].join('\n');
}
