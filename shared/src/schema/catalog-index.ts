/**
 * The catalog's layout: `shared/catalog/<slug>@<version>.json`, one JSON Schema per event and
 * version, listed in `index.json`. Usable from both sides (no file access here): the collector
 * reads files with these names, the SDK imports `@shopstream/shared/catalog/index.json`.
 */
import type { EventKind } from '../event.js';
import { parseSemver } from './semver.js';

export interface CatalogEntry {
  /** Event name as sent in `type`, e.g. `Order Completed`. */
  readonly name: string;
  readonly kind: EventKind;
  readonly version: string;
  /** File name inside the catalog folder. */
  readonly file: string;
}

export interface CatalogIndex {
  readonly description?: string;
  readonly schemas: readonly CatalogEntry[];
}

/** The annotation every catalog schema carries at its root, so a custom schema names its event. */
export interface SchemaEventAnnotation {
  readonly name: string;
  readonly kind?: EventKind;
  readonly version: string;
}

/** `Order Completed` → `order-completed`. */
export function schemaSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export function schemaFileName(name: string, version: string): string {
  return `${schemaSlug(name)}@${version}.json`;
}

/** Reads `x-event` from a schema; `undefined` when it is missing or malformed. */
export function schemaEventAnnotation(schema: unknown): SchemaEventAnnotation | undefined {
  if (schema === null || typeof schema !== 'object') return undefined;
  const annotation = (schema as Record<string, unknown>)['x-event'];
  if (annotation === null || typeof annotation !== 'object') return undefined;
  const { name, kind, version } = annotation as Record<string, unknown>;
  if (typeof name !== 'string' || name === '' || typeof version !== 'string' || !parseSemver(version)) return undefined;
  return { name, version, ...(typeof kind === 'string' ? { kind: kind as EventKind } : {}) };
}
