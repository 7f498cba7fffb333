/**
 * Where the config comes from: a JSON or YAML file (`--config path` or `SHOPSTREAM_CONFIG`),
 * overlaid by environment variables, then checked by `readConfig`. Env names derive from the
 * config path: `wal.quotaBytes` ← `SHOPSTREAM_WAL_QUOTA_BYTES`, `ingest.dedupe.redisUrl` ←
 * `SHOPSTREAM_INGEST_DEDUPE_REDIS_URL`, a sink's key by its name (`SHOPSTREAM_SINKS_S3_BUCKET`),
 * a source's by its id (`SHOPSTREAM_SOURCES_WEB_WRITE_KEY`); lists take JSON
 * (`SHOPSTREAM_SOURCES='[{"id":"web","writeKey":"..."}]'`); `PORT` sets the port. See ./config-env.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CollectorError } from '../errors.js';
import { readConfig, type CollectorConfig } from './config.js';
import type { Setting } from './config-settings.js';
import type { SinkType } from '../sinks/sink-type.js';

export interface LoadConfigOptions {
  readonly path?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly sinkTypes: readonly SinkType[];
  readonly readFile?: (path: string) => string;
}

export function loadConfig(options: LoadConfigOptions): CollectorConfig {
  return loadConfigWithSettings(options).config;
}

/** The config and every setting it resolved, secrets masked, for the start-up report. */
export function loadConfigWithSettings(options: LoadConfigOptions): { config: CollectorConfig; settings: Setting[] } {
  const path = options.path ?? options.env.SHOPSTREAM_CONFIG;
  const fromFile = path === undefined ? {} : readConfigFile(path, options.readFile ?? ((p) => readFileSync(p, 'utf8')));
  return readConfig(fromFile, options.sinkTypes, options.env);
}

/** The YAML parser loads only for a YAML file (a JSON config starts faster). */
function parseYaml(text: string): unknown {
  return (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);
}

function readConfigFile(path: string, readFile: (path: string) => string): Record<string, unknown> {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new CollectorError('COLLECTOR_CONFIG_INVALID', `config: cannot read the config file ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let value: unknown;
  try {
    value = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new CollectorError('COLLECTOR_CONFIG_INVALID', `config: ${path} is not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new CollectorError('COLLECTOR_CONFIG_INVALID', `config: ${path} must hold an object at its top level`);
  return value as Record<string, unknown>;
}

