import { resolve } from 'node:path';
import { defineSinkType } from '../sink-type.js';
import { LogEvent } from '../../telemetry/events.js';
import { configuredPartitionTime, readPartitionConfig } from '../../lake/event-time.js';
import type { ParquetCodec } from '../../lake/parquet-writer.js';
import { readCompactionConfig } from '../../lake/compaction/compaction-config.js';
import type { LakeFormat } from './lake-sink.js';

/**
 * `{ type: "lake", name?, dir?, format?: ndjson|parquet, parquetCompression?: zstd|snappy,
 * gzipLevel?, schemasDir?, compactEveryMs?, compactClosedAfterMs?, compactTargetBytes?,
 * partitionBy?: receivedAt|timestamp, lateAfterMs? }`; `dir`
 * defaults to the top-level `lake.dir`; `schemasDir` adds custom schemas' columns to the lake
 * tables (use the same folder as `ingest.schemas.customDir`). Files roll per partition every
 * `limits.lingerMs` (default 10 s) or at `limits.bytesMax` (64 MiB of JSON), and closed hours are
 * compacted every 10 minutes (../../lake/compaction/).
 */
export const lakeSinkType = defineSinkType({
  type: 'lake',
  defaultZones: ['raw', 'clean', 'failed', 'audit'],
  defaultLimits: { recordsMax: 200_000, bytesMax: 64 * 1024 * 1024, recordBytesMax: 1024 * 1024, lingerMs: 10_000 },
  parse(entry, context) {
    const schemasDir = entry.optionalStr('schemasDir');
    return {
      dir: resolve(entry.str('dir', context.lakeDir)),
      gzipLevel: entry.int('gzipLevel', 6, { min: 1, max: 9 }),
      format: entry.oneOf<LakeFormat>('format', 'ndjson', ['ndjson', 'parquet']),
      parquetCompression: entry.oneOf<ParquetCodec>('parquetCompression', 'zstd', ['zstd', 'snappy']),
      ...(schemasDir ? { schemasDir: resolve(schemasDir) } : {}),
      ...readCompactionConfig(entry, 10 * 60_000),
      ...readPartitionConfig(entry),
    };
  },
  // What building the sink needs (DuckDB for Parquet, the catalog) loads here, in the delivery
  // worker, never while the config is read: start-up stays fast.
  async create(config, deps) {
    const [{ loadLakeCatalog }, { createParquetWriter }, { withCompaction }, { localCompactionStore }, { createLakeSink }, { sweepLakeTempFiles }] = await Promise.all([
      import('../../lake/lake-catalog.js'),
      import('../../lake/parquet-writer.js'),
      import('../../lake/compaction/compaction-config.js'),
      import('../../lake/compaction/local-compaction-store.js'),
      import('./lake-sink.js'),
      import('./lake-temp-sweep.js'),
    ]);
    // Before the first write: temp files a kill -9 left behind are never replaced (new pid, new name).
    const swept = await sweepLakeTempFiles(config.dir);
    if (swept.removed > 0) deps.log.info({ event: LogEvent.LakeTempSwept, sink: config.name, ...swept }, `lake: removed ${swept.removed} temp files left by a killed collector`);
    const catalog = await loadLakeCatalog(config.schemasDir);
    const dir = config.dir;
    const format = config.format;
    const sink = createLakeSink({
      name: config.name, dir, limits: config.limits, gzipLevel: config.gzipLevel, catalog, format,
      partitionTimeMs: configuredPartitionTime(config),
      ...(format === 'parquet' ? { parquetWriter: createParquetWriter({ codec: config.parquetCompression }) } : {}),
    });
    return withCompaction(sink, localCompactionStore(dir), catalog, config, deps);
  },
});
