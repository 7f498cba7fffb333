/**
 * One view per catalog event over `events`, with the event's known properties (or traits, for
 * identify/group) as typed columns, so `SELECT order_id, total FROM shopstream.order_completed`
 * works without JSON operators. Generated from the same catalog schemas the collector validates
 * with; every version of an event contributes its properties (a property typed differently by
 * two versions becomes `jsonb`).
 *
 * A view never makes a query fail on odd data: a value of the wrong JSON type reads as NULL
 * (the cast runs only after `jsonb_typeof` says it fits). JSON Schema → SQL: string → text,
 * string with format date-time → timestamptz, number → double precision, integer → numeric
 * (no range to overflow), boolean → boolean, anything else → jsonb.
 */
import { schemaEventAnnotation, schemaSlug } from '@shopstream/shared';
import { isoTime, qualified, quoteIdent, quoteLiteral, ZONE_TABLES } from './zone-tables.js';

/** A parsed catalog schema document (as `loadSchemaFolder` reads it). */
export interface CatalogSchema {
  readonly schema: unknown;
}

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
  readonly columns: Map<string, TypedColumn>;
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

function sqlTypeOf(property: unknown): string {
  if (property === null || typeof property !== 'object') return 'jsonb';
  const { type, format } = property as { type?: unknown; format?: unknown };
  const types = (Array.isArray(type) ? type : [type]).filter((t) => t !== 'null');
  if (types.length !== 1) return 'jsonb';
  if (types[0] === 'string') return format === 'date-time' ? 'timestamptz' : 'text';
  if (types[0] === 'number') return 'double precision';
  if (types[0] === 'integer') return 'numeric';
  if (types[0] === 'boolean') return 'boolean';
  return 'jsonb';
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

/** The views the catalog defines, merged across versions, in a stable order. */
export function catalogViews(catalog: readonly CatalogSchema[]): EventView[] {
  const views = new Map<string, EventView>();
  for (const { schema } of catalog) {
    const annotation = schemaEventAnnotation(schema);
    if (!annotation) continue;
    let view = snakeCase(schemaSlug(annotation.name));
    if (view === '' || TABLE_NAMES.has(view)) view = `${view}_event`;
    const entry = views.get(view) ?? { view, eventName: annotation.name, columns: new Map<string, TypedColumn>() };
    views.set(view, entry);
    const top = (schema as { properties?: Record<string, { properties?: Record<string, unknown> }> }).properties ?? {};
    for (const container of ['properties', 'traits']) {
      for (const [key, property] of Object.entries(top[container]?.properties ?? {})) {
        let column = snakeCase(key);
        if (column === '') continue;
        if (ENVELOPE_SELECT.includes(column)) column = `${container === 'traits' ? 'trait' : 'prop'}_${column}`;
        const sqlType = sqlTypeOf(property);
        const known = entry.columns.get(column);
        if (known && (known.container !== container || known.key !== key)) continue; // two keys, one column name: the first wins
        entry.columns.set(column, { column, container, key, sqlType: known && known.sqlType !== sqlType ? 'jsonb' : sqlType });
      }
    }
  }
  return [...views.values()].sort((a, b) => a.view.localeCompare(b.view));
}

export function catalogViewsSql(schema: string, catalog: readonly CatalogSchema[]): string[] {
  return catalogViews(catalog).flatMap((v) => {
    const columns = [...v.columns.values()].sort((a, b) => a.column.localeCompare(b.column));
    const select = [...ENVELOPE_SELECT.map((c) => `e.${quoteIdent(c)}`), ...columns.map((c) => `${readExpression(c)} AS ${quoteIdent(c.column)}`)];
    const name = qualified(schema, v.view);
    return [
      // DROP + CREATE: a new catalog version may retype a column, which CREATE OR REPLACE refuses.
      `DROP VIEW IF EXISTS ${name}`,
      `CREATE VIEW ${name} AS\nSELECT ${select.join(',\n       ')}\nFROM ${qualified(schema, 'events')} e\nWHERE e.event_type = ${quoteLiteral(v.eventName)}`,
      `COMMENT ON VIEW ${name} IS ${quoteLiteral(`Shopstream catalog event "${v.eventName}": its known fields as typed columns (generated from the catalog).`)}`,
    ];
  });
}
