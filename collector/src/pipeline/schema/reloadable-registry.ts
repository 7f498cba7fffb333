/**
 * Keeps the current schema registry and swaps in a new one when the custom folder changes,
 * without a restart: on `reload()` (wired to SIGHUP and `POST /v1/admin/schemas/reload`) and,
 * when `watch` is on, on any file change in the custom folder (debounced). A reload that fails
 * (bad JSON, a schema that does not compile) keeps the previous registry and reports why.
 */
import { watch, type FSWatcher } from 'node:fs';
import { buildSchemaRegistry, type SchemaRegistry, type SchemaRegistryOptions } from './registry.js';
import { loadSchemaFolder } from './load-schema-folder.js';

export interface ReloadableRegistryOptions extends SchemaRegistryOptions {
  /** The shared catalog folder (`@shopstream/shared/catalog`). */
  readonly catalogDir: string;
  /** An operator's folder of extra or replacing schemas; its files win over the catalog's. */
  readonly customDir?: string;
  /** Reload on file changes in `customDir`. */
  readonly watch?: boolean;
  readonly watchDebounceMs?: number;
  readonly onReload?: (outcome: ReloadOutcome) => void;
}

export type ReloadOutcome =
  | { readonly status: 'success'; readonly schemaIds: readonly string[] }
  | { readonly status: 'failure'; readonly error: Error };

export interface ReloadableRegistry {
  readonly current: SchemaRegistry;
  reload(): Promise<ReloadOutcome>;
  close(): void;
}

async function build(options: ReloadableRegistryOptions): Promise<SchemaRegistry> {
  const documents = await loadSchemaFolder(options.catalogDir);
  if (options.customDir) documents.push(...(await loadSchemaFolder(options.customDir)));
  return buildSchemaRegistry(documents, options);
}

/** Loads once (throws when the initial set is broken: better not to start), then reloads on demand. */
export async function createReloadableRegistry(options: ReloadableRegistryOptions): Promise<ReloadableRegistry> {
  let current = await build(options);
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let pending: Promise<ReloadOutcome> | undefined;

  const reload = (): Promise<ReloadOutcome> => {
    // Concurrent reloads share one pass over the files.
    pending ??= build(options)
      .then((next): ReloadOutcome => {
        current = next;
        return { status: 'success', schemaIds: next.schemaIds };
      })
      .catch((error: unknown): ReloadOutcome => ({ status: 'failure', error: error instanceof Error ? error : new Error(String(error)) }))
      .then((outcome) => {
        pending = undefined;
        options.onReload?.(outcome);
        return outcome;
      });
    return pending;
  };

  if (options.watch && options.customDir) {
    watcher = watch(options.customDir, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), options.watchDebounceMs ?? 200);
    });
    watcher.unref();
  }

  return {
    get current() {
      return current;
    },
    reload,
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
