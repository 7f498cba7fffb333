/**
 * Ready-to-run SQL over the lake, generated from the lake's tables (./table-schema.ts), never
 * from sampling files: DuckDB views for a local lake folder, and Athena/Glue tables (Hive
 * partitions with partition projection) for the same layout on S3. Each event table is one view
 * per zone and event type (`clean_order_completed`), plus one view per zone over every event type
 * with the envelope's columns (`clean_events`), and `failed` and `audit`.
 *
 * Every view lists its columns and types, so a query answers the same after hours of mixed
 * traffic, over NDJSON and Parquet alike. DuckDB refuses a view whose glob matches no file, so a
 * table with no file yet gets an empty view of the same columns; print the views again once a new
 * event type has arrived.
 */
import { partitionSlug, type LakeZone } from '@shopstream/shared';
import type { LakeCatalog } from './lake-catalog.js';
import { athenaType, duckdbColumnsArgument, duckdbType, quoteIdent, quoteLiteral } from './sql-types.js';
import { eventEnvelopeColumns, type Column } from './table-schema.js';

export type LakeFileFormat = 'ndjson' | 'parquet';

/** One table of the lake as the views see it: a name, its columns, and the files holding it. */
export interface LakeTable {
  /** View or table name: `clean_order_completed`, `clean_events`, `failed`, `audit`. */
  readonly name: string;
  readonly zone: LakeZone;
  /** `event_type` partition value, or `*` for every event type. */
  readonly slug: string;
  readonly columns: readonly Column[];
}

/** Partition columns, typed: `source` stays text (a source `123` is no number), `hr` an integer. */
const PARTITIONS: readonly Column[] = [
  { name: 'event_type', type: { kind: 'varchar' } },
  { name: 'dt', type: { kind: 'varchar' } },
  { name: 'hr', type: { kind: 'integer' } },
];

/**
 * Every table of the lake for a catalog: per zone and known event type, per zone for all events,
 * failed, audit; plus `customSlugs`, event types found in the lake that no schema names (their
 * `properties` and `traits` are JSON).
 */
export function lakeTables(catalog: LakeCatalog, customSlugs: readonly string[] = []): LakeTable[] {
  const tables: LakeTable[] = [];
  const known = new Map(catalog.eventTypes.map((t) => [partitionSlug(t), t]));
  const custom = [...new Set(customSlugs)].filter((slug) => !known.has(slug) && /^[a-z0-9_]+$/.test(slug)).sort();
  for (const zone of ['raw', 'clean'] as const) {
    tables.push({ name: `${zone}_events`, zone, slug: '*', columns: eventEnvelopeColumns() });
    for (const [slug, eventType] of known) tables.push({ name: `${zone}_${slug}`, zone, slug, columns: catalog.table(zone, eventType).columns });
    for (const slug of custom) tables.push({ name: `${zone}_${slug}`, zone, slug, columns: catalog.table(zone, `\u0000${slug}`).columns });
  }
  tables.push({ name: 'failed', zone: 'failed', slug: '*', columns: catalog.table('failed', '*').columns });
  tables.push({ name: 'audit', zone: 'audit', slug: '*', columns: catalog.table('audit', 'request').columns });
  return tables;
}

/** The glob of a table's files below the lake root (no temp file ever lives there). */
export function lakeTableGlob(root: string, table: LakeTable, format: LakeFileFormat): string {
  const extension = format === 'parquet' ? 'parquet' : 'ndjson.gz';
  return `${root.replace(/\/+$/, '')}/${table.zone}/source=*/event_type=${table.slug}/dt=*/hr=*/*.${extension}`;
}

const HIVE_TYPES = `{'event_type': VARCHAR, 'dt': VARCHAR, 'hr': INTEGER}`;

/** The DuckDB `SELECT` reading a table's files with its explicit columns plus the partition columns. */
export function duckdbTableSelect(root: string, table: LakeTable, format: LakeFileFormat): string {
  const glob = quoteLiteral(lakeTableGlob(root, table, format));
  const columns = [...table.columns, ...PARTITIONS].map((c) => quoteIdent(c.name)).join(', ');
  const reader =
    format === 'parquet'
      ? `read_parquet(${glob}, hive_partitioning = true, hive_types = ${HIVE_TYPES}, union_by_name = true)`
      : `read_json(${glob}, format = 'newline_delimited', columns = ${duckdbColumnsArgument(table.columns)}, hive_partitioning = true, hive_types = ${HIVE_TYPES}, maximum_object_size = 67108864)`;
  return `SELECT ${columns} FROM ${reader}`;
}

/** The same columns, no rows: the view of a table that has no file yet. */
function emptySelect(table: LakeTable): string {
  const columns = [...table.columns, ...PARTITIONS].map((c) => `CAST(NULL AS ${duckdbType(c.type)}) AS ${quoteIdent(c.name)}`).join(', ');
  return `SELECT ${columns} WHERE false`;
}

export interface DuckdbViewsOptions {
  /** The lake folder as the reader sees it (absolute, or relative to where DuckDB runs). */
  readonly root: string;
  readonly format: LakeFileFormat;
  /** Whether a table has at least one file; tables without get an empty view. Default: all have. */
  readonly hasFiles?: (table: LakeTable) => boolean;
  /** Event types found in the lake that no schema names; see `lakeTables`. */
  readonly customSlugs?: readonly string[];
}

export function duckdbViews(catalog: LakeCatalog, options: DuckdbViewsOptions): string {
  const statements = lakeTables(catalog, options.customSlugs).map((table) => {
    const select = options.hasFiles && !options.hasFiles(table) ? emptySelect(table) : duckdbTableSelect(options.root, table, options.format);
    return `CREATE OR REPLACE VIEW ${quoteIdent(table.name)} AS ${select};`;
  });
  return `-- Shopstream lake views (${options.format}) over ${options.root}; generated from the schema catalog.\n${statements.join('\n')}\n`;
}

export interface AthenaTablesOptions {
  /** `s3://bucket/prefix` the S3 sink writes under. */
  readonly location: string;
  readonly format: LakeFileFormat;
  readonly database: string;
  /** First day partition projection enumerates, `YYYY-MM-DD`. */
  readonly firstDay: string;
  /** Source ids the projection enumerates (`source=<id>`): the collector's configured sources. */
  readonly sources: readonly string[];
  /** Custom event types (slugs) to declare tables for; see `lakeTables`. */
  readonly customSlugs?: readonly string[];
}

/**
 * Athena DDL: one external table per lake table, Hive-partitioned by `source`, `event_type`,
 * `dt`, `hr`, with partition projection (no crawler, no `MSCK REPAIR`): `source` enumerates the
 * configured sources, `dt` is a date range from `firstDay` to today, `hr` 00-23. Event-type tables
 * fix `event_type` by their location; the all-events tables project it from the catalog's types.
 * The file's `source` column is named `source` too; the partition is `source_id` in Athena, whose
 * table columns and partition keys must differ.
 */
export function athenaTables(catalog: LakeCatalog, options: AthenaTablesOptions): string {
  const location = options.location.replace(/\/+$/, '');
  const types = [...catalog.eventTypes.map(partitionSlug), ...(options.customSlugs ?? [])];
  const out = [`-- Shopstream lake tables for Athena (${options.format}); generated from the schema catalog.`, `CREATE DATABASE IF NOT EXISTS ${options.database};`];
  for (const table of lakeTables(catalog, options.customSlugs)) {
    const columns = table.columns.map((c) => `  \`${c.name.toLowerCase()}\` ${athenaType(c.type)}`).join(',\n');
    const eventTypes = table.slug === '*' ? (table.zone === 'audit' ? ['request'] : table.zone === 'failed' ? ['batch', 'unknown', ...types] : types) : [table.slug];
    const storage =
      options.format === 'parquet'
        ? `STORED AS PARQUET`
        : `ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'\nWITH SERDEPROPERTIES ('case.insensitive' = 'true', 'ignore.malformed.json' = 'false', 'timestamp.formats' = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z',yyyy-MM-dd HH:mm:ss.SSSSSS,yyyy-MM-dd HH:mm:ss.SSS,yyyy-MM-dd HH:mm:ss")\nSTORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat' OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'`;
    out.push(
      `CREATE EXTERNAL TABLE IF NOT EXISTS ${options.database}.${table.name} (\n${columns}\n)\n` +
        `PARTITIONED BY (\`source_id\` string, \`event_type\` string, \`dt\` string, \`hr\` string)\n${storage}\n` +
        `LOCATION '${location}/${table.zone}/'\nTBLPROPERTIES (\n` +
        `  'projection.enabled' = 'true',\n` +
        `  'projection.source_id.type' = 'enum', 'projection.source_id.values' = '${options.sources.join(',')}',\n` +
        `  'projection.event_type.type' = 'enum', 'projection.event_type.values' = '${eventTypes.join(',')}',\n` +
        `  'projection.dt.type' = 'date', 'projection.dt.format' = 'yyyy-MM-dd', 'projection.dt.range' = '${options.firstDay},NOW',\n` +
        `  'projection.hr.type' = 'integer', 'projection.hr.range' = '0,23', 'projection.hr.digits' = '2',\n` +
        `  'storage.location.template' = '${location}/${table.zone}/source=\${source_id}/event_type=\${event_type}/dt=\${dt}/hr=\${hr}/'\n);`,
    );
  }
  return `${out.join('\n\n')}\n`;
}
