/**
 * Reads every `*.json` in a schema folder (the shared catalog, or an operator's custom folder).
 * File I/O lives here so the registry itself is pure and testable without a disk.
 */
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fromIgluSchema } from '../snowplow/iglu.js';

export interface SchemaDocument {
  /** Where it came from, for error messages: `custom/order-completed@2.0.0.json`. */
  readonly origin: string;
  readonly schema: unknown;
}

/** A folder holds tens of schemas; the bound keeps a wrong path (say `/`) from reading a disk. */
export const SCHEMA_FILES_MAX = 2000;
export const SCHEMA_FILE_BYTES_MAX = 1024 * 1024;

export async function loadSchemaFolder(dir: string): Promise<SchemaDocument[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.json') && file !== 'index.json').sort();
  if (files.length > SCHEMA_FILES_MAX) throw new Error(`schema folder ${dir} holds ${files.length} JSON files, more than the ${SCHEMA_FILES_MAX} allowed`);
  const documents: SchemaDocument[] = [];
  for (const file of files) {
    const origin = join(dir, file);
    const text = await readFile(origin, 'utf8');
    if (text.length > SCHEMA_FILE_BYTES_MAX) throw new Error(`schema ${origin} is larger than ${SCHEMA_FILE_BYTES_MAX} bytes`);
    let schema: unknown;
    try {
      schema = JSON.parse(text);
    } catch (error) {
      throw new Error(`schema ${origin} is not valid JSON: ${(error as Error).message}`);
    }
    // Snowplow users keep Iglu self-describing schemas: registered as `vendor/name` at their SchemaVer.
    documents.push({ origin, schema: fromIgluSchema(schema, origin) });
  }
  return documents;
}

/** The catalog's files, then the custom folder's (which win over the catalog's). */
export async function loadSchemaFolders(catalogDir: string, customDir?: string): Promise<SchemaDocument[]> {
  const documents = await loadSchemaFolder(catalogDir);
  if (customDir) documents.push(...(await loadSchemaFolder(customDir)));
  return documents;
}

/** The shared catalog as installed beside the collector. */
export function defaultCatalogDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@shopstream/shared/catalog/index.json'));
}
