/**
 * `{ type: "postgres", name, url | urlEnv, schema, migrate, … }` (./postgres-config.ts):
 * receives the clean, failed and audit zones by default (raw has no table). The typed config
 * travels in the entry's `postgres` key; `postgresConfigOf` is the one place that reads it back.
 */
import { defineSinkType, type SinkConfig } from '../sink-type.js';
import { readPostgresSinkConfig, type PostgresSinkConfig } from './postgres-config.js';

const MIB = 1024 * 1024;
/** One transaction per batch: 10,000 rows or 16 MiB of JSON, whichever first; 1 s linger. */
const defaultLimits = { recordsMax: 10_000, bytesMax: 16 * MIB, recordBytesMax: 4 * MIB, lingerMs: 1_000 };

/** For generic code holding any `sinks[]` entry (the `sink sql` command): the postgres options, checked. */
export function postgresConfigOf(config: SinkConfig): PostgresSinkConfig {
  if (config.type !== 'postgres') throw new Error(`sink ${config.name} is a ${config.type} sink, not postgres`);
  return config.postgres as PostgresSinkConfig;
}

export const postgresSinkType = defineSinkType({
  type: 'postgres',
  defaultZones: ['clean', 'failed', 'audit'],
  defaultLimits,
  parse(entry) {
    return { postgres: readPostgresSinkConfig(entry) };
  },
  async create(sinkConfig, deps) {
    // Loaded when a postgres sink exists, so `pg` costs nothing at start for everyone else.
    const [{ createPostgresSink }, { passwordFor }, { clientConfig, parseTarget, resolveUrl }, { loadLakeCatalog }] = await Promise.all([
      import('./postgres-sink.js'),
      import('./iam-token.js'),
      import('./connection-options.js'),
      import('../../lake/lake-catalog.js'),
    ]);
    const config = sinkConfig.postgres;
    const target = parseTarget(resolveUrl(config, process.env));
    const password = await passwordFor(config, target);
    const catalog = await loadLakeCatalog();
    const sink = createPostgresSink({
      name: sinkConfig.name,
      config,
      limits: sinkConfig.limits,
      client: clientConfig(config, { ...target, user: config.iam?.username ?? target.user }, password),
      catalog,
      log: deps.log,
      ...(deps.nodeId ? { nodeId: deps.nodeId } : {}),
    });
    await sink.open();
    return sink;
  },
});
