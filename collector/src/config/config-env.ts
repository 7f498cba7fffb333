/**
 * Environment variables as a config source. Every key the config parser reads can be set by a
 * variable named after its path, so containers take secrets from Secrets without a file:
 *
 *   wal.quotaBytes                      SHOPSTREAM_WAL_QUOTA_BYTES
 *   ingest.dedupe.redisUrl              SHOPSTREAM_INGEST_DEDUPE_REDIS_URL
 *   sinks[name=kinesis].streamName      SHOPSTREAM_SINKS_KINESIS_STREAM_NAME   (entries by name)
 *   sources[id=orders].secret           SHOPSTREAM_SOURCES_ORDERS_SECRET       (entries by id)
 *   sinks / routing / any list          SHOPSTREAM_SINKS='[...]'               (JSON)
 *
 * The name is derived from the path (never the reverse), so the parser asks for exactly the
 * names it understands and this source remembers which were used. After parsing, any other
 * `SHOPSTREAM_*` variable is a mistake (`SHOPSTREAM_INGEST_DEDUPE_STOR=redis` must not start a
 * fleet with per-node dedupe), and the start stops naming it.
 */
import { CollectorError } from '../errors.js';

export const ENV_PREFIX = 'SHOPSTREAM';

/**
 * `SHOPSTREAM_*` names that belong to other Shopstream programs (the Node SDK's order-service
 * example, the demo launcher) and may share a shell with the collector.
 */
export const FOREIGN_ENV_NAMES: readonly string[] = ['SHOPSTREAM_ENDPOINT', 'SHOPSTREAM_WRITE_KEY', 'SHOPSTREAM_SECRET', 'SHOPSTREAM_QUEUE_DIR', 'SHOPSTREAM_DATA_DIR'];

/** `quotaBytes` → `QUOTA_BYTES`; an entry name `raw-archive` → `RAW_ARCHIVE`. */
export function envSegment(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/** Reads variables for the config parser and remembers every name it was asked for. */
export class EnvSource {
  private readonly used = new Set<string>();
  private readonly asked = new Set<string>();

  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    /** Conventional names read when the derived one is unset: `{ SHOPSTREAM_LISTEN_PORT: 'PORT' }`. */
    private readonly aliases: Readonly<Record<string, string>> = {},
  ) {}

  static empty(): EnvSource {
    return new EnvSource({});
  }

  /** The variable that sets `name` (or its alias), and its text. */
  get(name: string): { readonly name: string; readonly value: string } | undefined {
    this.asked.add(name);
    for (const candidate of [name, this.aliases[name]]) {
      const value = candidate === undefined ? undefined : this.env[candidate];
      if (candidate !== undefined && value !== undefined) {
        this.used.add(candidate);
        return { name: candidate, value };
      }
    }
    return undefined;
  }

  /** True when some variable continues `prefix_`: a section set only from the environment. */
  hasUnder(prefix: string): boolean {
    return Object.keys(this.env).some((name) => name.startsWith(`${prefix}_`) && this.env[name] !== undefined);
  }

  /** Marks a name read outside the parser (`SHOPSTREAM_CONFIG`). */
  markUsed(name: string): void {
    if (this.env[name] !== undefined) this.used.add(name);
  }

  /** Refuses a `SHOPSTREAM_*` variable no config key asked for, suggesting the nearest one that was. */
  refuseUnknown(): void {
    for (const name of Object.keys(this.env).sort()) {
      if (!name.startsWith(`${ENV_PREFIX}_`) || this.env[name] === undefined || this.used.has(name) || FOREIGN_ENV_NAMES.includes(name)) continue;
      const near = nearest(name, [...this.asked]);
      throw new CollectorError('COLLECTOR_CONFIG_INVALID', `config: unknown environment variable ${name}: no config key is named so${near ? ` (did you mean ${near}?)` : ''}`);
    }
  }
}

/** The asked-for name within a small edit distance (a typo), if any. */
function nearest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(3, Math.floor(name.length / 6)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate, bestDistance);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
