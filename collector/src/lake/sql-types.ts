/**
 * A lake column type (./table-schema.ts) spelt in each engine's SQL: DuckDB for the writer and
 * the local views, Athena/Glue (Hive DDL) for tables over S3.
 */
import type { Column, ColumnType } from './table-schema.js';

/** `"name"` with `"` doubled: column names come from schemas, never trusted as bare SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `'text'` with `'` doubled. */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const DUCKDB: Record<string, string> = { varchar: 'VARCHAR', double: 'DOUBLE', bigint: 'BIGINT', integer: 'INTEGER', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP', json: 'JSON' };

export function duckdbType(type: ColumnType): string {
  if (type.kind === 'list') return `${duckdbType(type.items)}[]`;
  if (type.kind === 'struct') return `STRUCT(${type.fields.map((f) => `${quoteIdent(f.name)} ${duckdbType(f.type)}`).join(', ')})`;
  return DUCKDB[type.kind]!;
}

/** `{'id': 'VARCHAR', …}`: the `columns` argument of DuckDB's `read_json`, so nothing is sampled. */
export function duckdbColumnsArgument(columns: readonly Column[]): string {
  return `{${columns.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(duckdbType(c.type))}`).join(', ')}}`;
}

const ATHENA: Record<string, string> = { varchar: 'string', double: 'double', bigint: 'bigint', integer: 'int', boolean: 'boolean', timestamp: 'timestamp', json: 'string' };

/** Hive DDL type; Athena column names are case-insensitive and lower-cased by Glue. */
export function athenaType(type: ColumnType): string {
  if (type.kind === 'list') return `array<${athenaType(type.items)}>`;
  if (type.kind === 'struct') return `struct<${type.fields.map((f) => `${f.name.toLowerCase()}:${athenaType(f.type)}`).join(',')}>`;
  return ATHENA[type.kind]!;
}
