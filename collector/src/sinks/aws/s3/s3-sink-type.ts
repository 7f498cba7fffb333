import { resolve } from 'node:path';
import { configuredPartitionTime, readPartitionConfig } from '../../../lake/event-time.js';
import { readCompactionConfig } from '../../../lake/compaction/compaction-config.js';
import { defineSinkType } from '../../sink-type.js';
import type { AwsClientOptions } from '../clients.js';
import { changedLimits } from '../sink-limits.js';
import { pinoSinkLog, readAwsClientOptions } from '../sink-type-common.js';
import { S3_PART_BYTES_MIN } from './s3-part-bytes.js';
import type { S3Format } from './object-key.js';
import type { ParquetCodec } from '../../../lake/parquet-writer.js';

const MIB = 1024 * 1024;
const defaultLimits = { recordsMax: 1_000_000, bytesMax: 1 << 30, recordBytesMax: 4 * MIB, lingerMs: 60_000 };

/**
 * `{ type: "s3", bucket, prefix?, region?, endpoint?, format?: ndjson|parquet, rollBytes?: 64 MiB,
 * rollAgeMs?: 60000, parquetCompression?: zstd|snappy, partBytes?: 8 MiB, compactEveryMs?: 0 (off),
 * compactClosedAfterMs?, compactTargetBytes?, partitionBy?: receivedAt|timestamp, lateAfterMs? }`; receives every zone
 * by default, like the local lake it mirrors.
 */
export const s3SinkType = defineSinkType({
  type: 's3',
  defaultZones: ['raw', 'clean', 'failed', 'audit'],
  defaultLimits,
  parse(entry) {
    const schemasDir = entry.optionalStr('schemasDir');
    return {
      ...(schemasDir ? { schemasDir: resolve(schemasDir) } : {}),
      client: readAwsClientOptions(entry),
      bucket: entry.str('bucket', undefined, { re: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, says: 'an S3 bucket name (3-63 of a-z 0-9 . -)' }),
      prefix: entry.optionalStr('prefix') ?? '',
      format: entry.oneOf<S3Format>('format', 'ndjson', ['ndjson', 'parquet']),
      rollBytes: entry.int('rollBytes', 64 * MIB, { min: 64 * 1024, max: 1 << 30, unit: 'bytes' }),
      rollAgeMs: entry.int('rollAgeMs', 60_000, { min: 100, max: 3_600_000, unit: 'ms' }),
      parquetCompression: entry.oneOf<ParquetCodec>('parquetCompression', 'zstd', ['zstd', 'snappy']),
      partBytes: entry.int('partBytes', 8 * MIB, { min: S3_PART_BYTES_MIN, max: 512 * MIB, unit: 'bytes' }),
      // Off by default: collectors sharing a prefix must not compact it at once; turn it on for one.
      ...readCompactionConfig(entry, 0),
      ...readPartitionConfig(entry),
    };
  },
  // The SDK and the Parquet writer load only when an S3 sink is built (in the delivery worker).
  async create(config, deps) {
    const [{ createS3Client }, { createS3Sink }, { loadLakeCatalog }, { withCompaction }, { s3CompactionStore }] = await Promise.all([
      import('../clients.js'),
      import('./s3-sink.js'),
      import('../../../lake/lake-catalog.js'),
      import('../../../lake/compaction/compaction-config.js'),
      import('../../../lake/compaction/s3-compaction-store.js'),
    ]);
    const { lingerMs, ...lowered } = changedLimits(config.limits, defaultLimits);
    const client = createS3Client(config.client);
    const catalog = await loadLakeCatalog(config.schemasDir);
    const sink = createS3Sink({
      name: config.name,
      client,
      bucket: config.bucket,
      prefix: config.prefix,
      ...(deps.nodeId ? { nodeId: deps.nodeId } : {}),
      format: config.format,
      rollBytes: config.rollBytes,
      rollAgeMs: lingerMs ?? config.rollAgeMs,
      parquetCompression: config.parquetCompression,
      partBytes: config.partBytes,
      limits: lowered,
      log: pinoSinkLog(deps.log),
      catalog,
      partitionTimeMs: configuredPartitionTime(config),
    });
    return withCompaction(sink, s3CompactionStore(client, config.bucket, config.prefix), catalog, config, deps);
  },
});
