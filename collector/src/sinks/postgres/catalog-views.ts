/**
 * One view per catalog event over `events`, with the event's known properties (or traits, for
 * identify/group) as typed columns, so `SELECT order_id, total FROM shopstream.order_completed`
 * works without JSON operators. The columns come from the lake's tables for the same catalog
 * (../../lake/table-schema.ts: every version of an event contributes its properties, a property
 * retyped between versions is JSON), so the lake and the database answer alike.
 *
 * A view never makes a query fail on odd data: a value of the wrong JSON type reads as NULL
 * (the cast runs only after `jsonb_typeof` says it fits). Lake type → SQL: varchar → text,
 * timestamp → timestamptz, double → double precision, bigint/integer → numeric (no range to
 * overflow), boolean → boolean, struct/list/json → jsonb. Column names are snake_case.
 */
import { schemaSlug } from '@shopstream/shared';
import type { LakeCatalog } from '../../lake/lake-catalog.js';
import type { ColumnType } from '../../lake/table-schema.js';
import { isoTime, qualified, quoteIdent, quoteLiteral, ZONE_TABLES } from './zone-tables.js';

interface TypedColumn {
  readonly column: string;
  /** `properties` or `traits`. */
  readonly container: string;
  readonly key: string;
  readonly sqlType: string;
}

interface EventView {
  readonly view: string;
  readonly eventName: string;
  readonly columns: readonly TypedColumn[];
}

const ENVELOPE_SELECT = ['event_id', 'event_at', 'user_id', 'anonymous_id', 'session_id', 'source', 'schema_version', 'received_at'];
const TABLE_NAMES = new Set(['schema_version', ...ZONE_TABLES.flatMap((t) => [t.table, `${t.table}_default`])]);

/** `firstName` → `first_name`, `image-url` → `image_url`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .toLowerCase();
}

function sqlTypeOf(type: ColumnType): string {
  switch (type.kind) {
    case 'varchar':
      return 'text';
    case 'timestamp':
      return 'timestamptz';
    case 'double':
      return 'double precision';
    case 'bigint':
    case 'integer':
      return 'numeric';
    case 'boolean':
      return 'boolean';
    default:
      return 'jsonb';
  }
}

function readExpression(c: TypedColumn): string {
  const value = `e.${quoteIdent(c.container)}->${quoteLiteral(c.key)}`;
  const text = `e.${quoteIdent(c.container)}->>${quoteLiteral(c.key)}`;
  switch (c.sqlType) {
    case 'text':
      return `CASE WHEN jsonb_typeof(${value}) = 'string' THEN ${text} END`;
    case 'timestamptz':
      return isoTime(text);
    case 'double precision':
    case 'numeric':
      return `CASE WHEN jsonb_typeof(${value}) = 'number' THEN (${text})::${c.sqlType} END`;
    case 'boolean':
      return `CASE WHEN jsonb_typeof(${value}) = 'boolean' THEN (${text})::boolean END`;
    default:
      return value;
  }
}

/** The views the catalog defines, in a stable order. */
export function catalogViews(catalog: LakeCatalog): EventView[] {
  const views: EventView[] = [];
  for (const eventName of catalog.eventTypes) {
    let view = snakeCase(schemaSlug(eventName));
    if (view === '' || TABLE_NAMES.has(view)) view = `${view}_event`;
    const columns = new Map<string, TypedColumn>();
    for (const field of catalog.table('clean', eventName).columns) {
      if ((field.name !== 'properties' && field.name !== 'traits') || field.type.kind !== 'struct') continue;
      for (const property of field.type.fields) {
        let column = snakeCase(property.name);
        if (column === '') continue;
        if (ENVELOPE_SELECT.includes(column)) column = `${field.name === 'traits' ? 'trait' : 'prop'}_${column}`;
        if (columns.has(column)) continue; // two keys, one column name: the first wins
        columns.set(column, { column, container: field.name, key: property.name, sqlType: sqlTypeOf(property.type) });
      }
    }
    views.push({ view, eventName, columns: [...columns.values()].sort((a, b) => a.column.localeCompare(b.column)) });
  }
  return views.sort((a, b) => a.view.localeCompare(b.view));
}

export function catalogViewsSql(schema: string, catalog: LakeCatalog): string[] {
  return catalogViews(catalog).flatMap((v) => {
    const select = [...ENVELOPE_SELECT.map((c) => `e.${quoteIdent(c)}`), ...v.columns.map((c) => `${readExpression(c)} AS ${quoteIdent(c.column)}`)];
    const name = qualified(schema, v.view);
    return [
      // DROP + CREATE: a new catalog version may retype a column, which CREATE OR REPLACE refuses.
      `DROP VIEW IF EXISTS ${name}`,
      `CREATE VIEW ${name} AS\nSELECT ${select.join(',\n       ')}\nFROM ${qualified(schema, 'events')} e\nWHERE e.event_type = ${quoteLiteral(v.eventName)}`,
      `COMMENT ON VIEW ${name} IS ${quoteLiteral(`Shopstream catalog event "${v.eventName}": its known fields as typed columns (generated from the catalog).`)}`,
    ];
  });
}
