/**
 * `shopstream-collector lake <views|compact>`: the lake's ready-made queries and its compaction,
 * from the same config file the collector serves with (lake folder, sinks, sources, custom schemas).
 *
 *   lake views [--config f] [--dir d] [--format ndjson|parquet]      DuckDB views over the local lake
 *   lake views --athena s3://bucket/prefix [--database db] [--first-day YYYY-MM-DD] [--format …]
 *   lake compact [--config f] [--dir d] [--closed-after-ms n] [--target-bytes n]   local lake and every S3 sink
 */
import { resolve } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import type { CollectorConfig } from '../config/config.js';
import { sinkTypes } from '../sinks/built-in-sink-types.js';
import { loadLakeCatalog } from './lake-catalog.js';
import { athenaTables, duckdbViews, type LakeFileFormat } from './lake-views.js';
import { listLakePartitions } from './local-lake-files.js';

export const LAKE_USAGE = `       shopstream-collector lake views [--config <file>] [--dir <lake>] [--format ndjson|parquet]
       shopstream-collector lake views --athena s3://<bucket>/<prefix> [--database <db>] [--first-day YYYY-MM-DD] [--format parquet|ndjson]
       shopstream-collector lake compact [--config <file>] [--dir <lake>] [--closed-after-ms <n>] [--target-bytes <n>] [--verbose]`;

function flag(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

/** The lake sink's (or else the S3 sink's) configured format; `ndjson` when none says. */
export function configuredFormat(config: CollectorConfig, type: 'lake' | 's3'): LakeFileFormat {
  const sink = config.sinks.find((s) => s.type === type);
  return sink?.format === 'parquet' ? 'parquet' : 'ndjson';
}

export async function lakeCommand(args: readonly string[]): Promise<number> {
  const [action, ...rest] = args;
  const configPath = flag(rest, '--config');
  const config = loadConfig({ env: process.env, sinkTypes, ...(configPath ? { path: configPath } : {}) });
  const catalog = await loadLakeCatalog(config.ingest.schemas.customDir);
  const formatFlag = flag(rest, '--format');
  if (formatFlag !== undefined && formatFlag !== 'ndjson' && formatFlag !== 'parquet') {
    console.error('shopstream-collector: --format is ndjson or parquet');
    return 2;
  }
  if (action === 'views') {
    const athena = flag(rest, '--athena');
    if (athena !== undefined) {
      if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(athena)) {
        console.error('shopstream-collector: --athena takes s3://<bucket>/<prefix>');
        return 2;
      }
      const format = (formatFlag as LakeFileFormat | undefined) ?? configuredFormat(config, 's3');
      const firstDay = flag(rest, '--first-day') ?? new Date().toISOString().slice(0, 10);
      process.stdout.write(athenaTables(catalog, { location: athena, format, database: flag(rest, '--database') ?? 'shopstream', firstDay, sources: config.sources.map((s) => s.id) }));
      return 0;
    }
    const root = resolve(flag(rest, '--dir') ?? config.lake.dir);
    const format = (formatFlag as LakeFileFormat | undefined) ?? configuredFormat(config, 'lake');
    const extension = format === 'parquet' ? '.parquet' : '.ndjson.gz';
    const partitions = (await listLakePartitions(root)).filter((p) => p.files.some((f) => f.name.endsWith(extension)));
    const hasFiles = (table: { zone: string; slug: string }) => partitions.some((p) => p.zone === table.zone && (table.slug === '*' || p.slug === table.slug));
    process.stdout.write(duckdbViews(catalog, { root, format, hasFiles, customSlugs: partitions.map((p) => p.slug) }));
    return 0;
  }
  if (action === 'compact') {
    const { compactCommand } = await import('./compact-command.js');
    return compactCommand(config, catalog, rest);
  }
  console.error(`usage:\n${LAKE_USAGE}`);
  return 2;
}
