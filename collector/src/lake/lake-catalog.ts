/**
 * The lake's tables for a set of schema documents (the shared catalog plus an operator's custom
 * folder): which table a record belongs to, and every table the views and Glue DDL declare.
 * Pure: documents come in, file reading stays in `loadLakeCatalog`.
 */
import { partitionSlug, schemaEventAnnotation, type LakeZone } from '@shopstream/shared';
import { defaultCatalogDir, loadSchemaFolder } from '../pipeline/schema/load-schema-folder.js';
import { auditTableSchema, eventTableSchema, failedTableSchema, type JsonSchemaDocument, type TableSchema } from './table-schema.js';

export interface LakeCatalog {
  /** The table a record of this zone and event type goes to; unknown event types get a JSON `properties`. */
  table(zone: LakeZone, eventType: string): TableSchema;
  /** `x-event.kind` of the event type, when the catalog names one. */
  kindOf(eventType: string): string | undefined;
  /** Event type names the catalog knows, sorted. */
  readonly eventTypes: readonly string[];
  /** The event type whose `event_type` partition value is `slug`, when the catalog knows one. */
  eventTypeOf(slug: string): string | undefined;
}

export function buildLakeCatalog(documents: readonly unknown[]): LakeCatalog {
  const versions = new Map<string, JsonSchemaDocument[]>();
  const kinds = new Map<string, string>();
  for (const schema of documents) {
    const annotation = schemaEventAnnotation(schema);
    if (!annotation) continue;
    let list = versions.get(annotation.name);
    if (!list) versions.set(annotation.name, (list = []));
    list.push(schema as JsonSchemaDocument);
    if (annotation.kind) kinds.set(annotation.name, annotation.kind);
  }
  const tables = new Map<string, TableSchema>();
  const audit = auditTableSchema();
  const failed = failedTableSchema();
  const bySlug = new Map([...versions.keys()].map((name) => [partitionSlug(name), name]));
  return {
    eventTypes: [...versions.keys()].sort(),
    eventTypeOf: (slug) => bySlug.get(slug),
    kindOf: (eventType) => kinds.get(eventType),
    table(zone, eventType) {
      if (zone === 'audit') return audit;
      if (zone === 'failed') return failed;
      const key = `${zone}\u0000${eventType}`;
      let table = tables.get(key);
      if (table === undefined) {
        // Only known types are cached (a bounded set); unknown ones share one cheap shape.
        table = eventTableSchema(zone, eventType, versions.get(eventType) ?? []);
        if (versions.has(eventType)) tables.set(key, table);
      }
      return table;
    },
  };
}

/** The shared catalog, plus `customDir`'s schemas when given. */
export async function loadLakeCatalog(customDir?: string): Promise<LakeCatalog> {
  const documents = await loadSchemaFolder(defaultCatalogDir());
  if (customDir) documents.push(...(await loadSchemaFolder(customDir)));
  return buildLakeCatalog(documents.map((d) => d.schema));
}
