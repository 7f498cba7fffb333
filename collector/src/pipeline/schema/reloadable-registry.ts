/**
 * Keeps the current schema registry and swaps in a new one when the custom folder changes,
 * without a restart: on `reload()` (wired to SIGHUP and `POST /v1/admin/schemas/reload`) and,
 * when `watch` is on, on any file change in the custom folder (debounced). A reload that fails
 * (bad JSON, a schema that does not compile) keeps the previous registry and reports why.
 */
import { watch, type FSWatcher } from 'node:fs';
import { buildSchemaRegistry, type SchemaRegistry, type SchemaRegistryOptions } from './registry.js';
import { loadSchemaFolders, type SchemaDocument } from './load-schema-folder.js';

export interface ReloadableRegistryOptions extends SchemaRegistryOptions {
  /** The shared catalog folder (`@shopstream/shared/catalog`). */
  readonly catalogDir: string;
  /** An operator's folder of extra or replacing schemas; its files win over the catalog's. */
  readonly customDir?: string;
  /** Reload on file changes in `customDir`. */
  readonly watch?: boolean;
  readonly watchDebounceMs?: number;
  readonly onReload?: (outcome: ReloadOutcome) => void;
  /** The files as read at start (`loadSchemaFolders`), when the caller read them before it compiles them. */
  readonly startDocuments?: readonly SchemaDocument[];
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
  return buildSchemaRegistry(await loadSchemaFolders(options.catalogDir, options.customDir), options);
}

/** Loads once (throws when the initial set is broken: better not to start), then reloads on demand. */
export async function createReloadableRegistry(options: ReloadableRegistryOptions): Promise<ReloadableRegistry> {
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let pending: Promise<ReloadOutcome> | undefined;
  let building = true;
  let changedWhileBuilding = false;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), options.watchDebounceMs ?? 200);
  };
  // Watching starts before the first read, so a change while the first set compiles is not
  // missed: it reloads once that set is in place.
  if (options.watch && options.customDir) {
    watcher = watch(options.customDir, () => (building ? (changedWhileBuilding = true) : schedule()));
    watcher.unref();
  }
  let current: SchemaRegistry;
  try {
    current = options.startDocuments ? buildSchemaRegistry([...options.startDocuments], options) : await build(options);
  } catch (error) {
    watcher?.close();
    throw error;
  }
  building = false;
  // Read earlier by the caller: a change since then (before the watch began) reloads too.
  if (options.startDocuments && watcher) {
    const given = JSON.stringify(options.startDocuments);
    loadSchemaFolders(options.catalogDir, options.customDir).then((now) => JSON.stringify(now) !== given && schedule(), () => schedule());
  }

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
  if (changedWhileBuilding) schedule();

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
