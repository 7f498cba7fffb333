/**
 * Where the config comes from: a JSON or YAML file (`--config path` or `SHOPSTREAM_CONFIG`),
 * overlaid by environment variables, then checked by `parseConfig`. Env names derive from the
 * config path: `wal.quotaBytes` ← `SHOPSTREAM_WAL_QUOTA_BYTES`, `lake.dir` ← `SHOPSTREAM_LAKE_DIR`;
 * lists take JSON (`SHOPSTREAM_SOURCES='[{"id":"web","writeKey":"..."}]'`); `PORT` sets the port.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CollectorError } from '../errors.js';
import { parseConfig, type CollectorConfig } from './config.js';
import type { SinkType } from './sink-type.js';

/** Sections whose scalar keys env vars may set; other SHOPSTREAM_* names belong to other tools. */
const ENV_SECTIONS = ['listen', 'limits', 'wal', 'lake', 'delivery', 'cors', 'log'] as const;
const ENV_LISTS = { SHOPSTREAM_SOURCES: 'sources', SHOPSTREAM_SINKS: 'sinks', SHOPSTREAM_ROUTING: 'routing' } as const;

export interface LoadConfigOptions {
  readonly path?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly sinkTypes: readonly SinkType[];
  readonly readFile?: (path: string) => string;
}

export function loadConfig(options: LoadConfigOptions): CollectorConfig {
  const path = options.path ?? options.env.SHOPSTREAM_CONFIG;
  const fromFile = path === undefined ? {} : readConfigFile(path, options.readFile ?? ((p) => readFileSync(p, 'utf8')));
  return parseConfig(overlayEnv(fromFile, options.env), options.sinkTypes);
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

/** Returns a copy of `config` with every recognised env var applied. */
export function overlayEnv(config: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(config);
  const set = (section: string, key: string, value: unknown) => {
    const current = out[section];
    out[section] = { ...(current && typeof current === 'object' ? (current as object) : {}), [key]: value };
  };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.startsWith('SHOPSTREAM_')) continue;
    if (name in ENV_LISTS) {
      out[ENV_LISTS[name as keyof typeof ENV_LISTS]] = parseJsonEnv(name, value);
      continue;
    }
    const rest = name.slice('SHOPSTREAM_'.length).toLowerCase();
    const section = ENV_SECTIONS.find((s) => rest.startsWith(`${s}_`));
    if (!section) continue;
    set(section, camelCase(rest.slice(section.length + 1)), envValue(name, value));
  }
  if (env.PORT !== undefined) set('listen', 'port', envValue('PORT', env.PORT));
  return out;
}

function envValue(name: string, value: string): unknown {
  if (/^-?\d+$/.test(value)) return Number(value);
  if (value.startsWith('[') || value.startsWith('{')) return parseJsonEnv(name, value);
  return value;
}

function parseJsonEnv(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new CollectorError('COLLECTOR_CONFIG_INVALID', `config: env ${name} must be JSON, got ${JSON.stringify(value.slice(0, 60))}`);
  }
}

function camelCase(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The lines printed at start: every setting, write keys shortened. */
export function describeConfig(config: CollectorConfig): string[] {
  const mask = (key: string) => (key.length <= 8 ? key : `${key.slice(0, 4)}… (${key.length} chars)`);
  return [
    `listen     http://${config.listen.host}:${config.listen.port}`,
    `sources    ${config.sources.map((s) => `${s.id} (key ${mask(s.writeKey)}${s.secrets ? `, signed (${s.secrets.length} secret${s.secrets.length > 1 ? 's' : ''})` : ''})`).join(', ')}`,
    `wal        ${config.wal.dir} fsync=${config.wal.fsync} syncsInFlightMax=${config.wal.syncsInFlightMax} segmentBytesMax=${config.wal.segmentBytesMax} quotaBytes=${config.wal.quotaBytes} retainMs=${config.wal.retainMs}`,
    `lake       ${config.lake.dir}`,
    `sinks      ${config.sinks.map((s) => `${s.name} (${s.type})`).join(', ')}`,
    `limits     ${JSON.stringify(config.limits)}`,
    `delivery   ${JSON.stringify(config.delivery)}`,
    ...(config.routing.length > 0 ? [`routing    ${JSON.stringify(config.routing)}`] : []),
  ];
}
