/**
 * S3 sink: each write is one file per Hive partition in the batch (gzip NDJSON or Parquet),
 * named by the WAL positions it holds (see object-key.ts), so a replayed batch overwrites the
 * same keys. Files roll by size and age through the engine's batching: `limits.bytesMax` is the
 * roll size (JSON bytes before compression), `limits.lingerMs` the roll age. Large files go up
 * as multipart uploads (`@aws-sdk/lib-storage`), in `partBytes` parts. A partition whose upload
 * fails hands back only its records (`partial`); the others are durable.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { SinkLimits, SinkOutcome, SinkRecord } from '../../sink.js';
import type { AwsSink } from '../batch-sink.js';
import { classifyAwsError } from '../classify-aws-error.js';
import { applyLimitOverrides } from '../sink-limits.js';
import { createBatchReporter, reportBatch, type AwsSinkCommonOptions } from '../report-batch.js';
import { buildLakeCatalog, type LakeCatalog } from '../../../lake/lake-catalog.js';
import { lakeRows } from '../../../lake/lake-row.js';
import { groupByPartition, objectKey, type S3Format } from './object-key.js';
import { encodeNdjsonGzip } from './ndjson-gzip.js';
import { createParquetWriter, type ParquetCodec } from '../../../lake/parquet-writer.js';
import { S3_PART_BYTES_MIN } from './s3-part-bytes.js';

const MIB = 1024 * 1024;
export { S3_PART_BYTES_MIN };

export interface S3SinkOptions extends AwsSinkCommonOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix before the zone folder, e.g. `shopstream`; default none. */
  readonly prefix?: string;
  /**
   * This collector's stable id, the first part of every object name (./object-key.ts), so
   * collectors sharing a bucket and prefix never overwrite each other's objects. Default none.
   */
  readonly nodeId?: string;
  /** Default `ndjson` (gzip). */
  readonly format?: S3Format;
  /** Roll size: JSON bytes per file before compression. Default 64 MiB (~10 MiB gzip, ~15 MiB Parquet). */
  readonly rollBytes?: number;
  /** Roll age: longest a record waits for its file. Default 60 s. */
  readonly rollAgeMs?: number;
  /** Parquet page compression; default `zstd`. */
  readonly parquetCompression?: ParquetCodec;
  /** Default 6. */
  readonly gzipLevel?: number;
  /** Multipart part size; uploads at most this large go in one PutObject. Default 8 MiB, min 5 MiB. */
  readonly partBytes?: number;
  /** Lower the batching limits; see aws/sink-limits.ts. */
  readonly limits?: Partial<SinkLimits>;
  /** Parts of one upload in flight. Default 4. */
  readonly partsInFlightMax?: number;
  /** Partition files of one batch uploaded at once. Default 4. */
  readonly uploadsInFlightMax?: number;
  /** The tables rows are shaped by (../../lake/lake-catalog.ts); default: no event schemas. */
  readonly catalog?: LakeCatalog;
  /** Hour of a record's partition; default its receive time (../../lake/event-time.ts). */
  readonly partitionTimeMs?: (record: SinkRecord) => number;
}

export type S3Sink = AwsSink;

const CONTENT_TYPES: Record<S3Format, string> = { ndjson: 'application/x-ndjson', parquet: 'application/vnd.apache.parquet' };

export function createS3Sink(options: S3SinkOptions): S3Sink {
  const format = options.format ?? 'ndjson';
  const rollBytes = options.rollBytes ?? 64 * MIB;
  const partBytes = Math.max(options.partBytes ?? 8 * MIB, S3_PART_BYTES_MIN);
  const uploadsInFlightMax = options.uploadsInFlightMax ?? 4;
  const prefix = options.prefix ?? '';
  const reporter = createBatchReporter('S3', { bucket: options.bucket }, options);
  const limits = applyLimitOverrides({
    recordsMax: 1_000_000,
    bytesMax: rollBytes,
    recordBytesMax: Math.min(rollBytes, 4 * MIB),
    lingerMs: options.rollAgeMs ?? options.lingerMs ?? 60_000,
  }, options.limits);

  const catalog = options.catalog ?? buildLakeCatalog([]);
  // Parquet files are staged on local disk (DuckDB writes files), uploaded, then removed.
  let staging: Promise<string> | undefined;
  const parquet = format === 'parquet' ? createParquetWriter({ codec: options.parquetCompression ?? 'zstd' }) : undefined;
  let stagedFiles = 0;
  const encode = async (records: readonly SinkRecord[]): Promise<Uint8Array> => {
    const first = records[0]!;
    const kind = catalog.kindOf(first.eventType);
    const table = catalog.table(first.zone, first.eventType);
    const { lines } = lakeRows(records, table, kind ? { defaultKind: kind } : {});
    if (!parquet) return encodeNdjsonGzip(lines, options.gzipLevel ?? 6);
    staging ??= mkdtemp(join(tmpdir(), 'shopstream-s3-parquet-'));
    const path = join(await staging, `${++stagedFiles}.parquet`);
    try {
      await parquet.write(lines, table, path);
      return await readFile(path);
    } finally {
      await rm(path, { force: true });
    }
  };

  async function upload(key: string, body: Uint8Array, signal: AbortSignal): Promise<void> {
    const abortController = new AbortController();
    const abort = () => abortController.abort();
    signal.addEventListener('abort', abort, { once: true });
    try {
      const params = { Bucket: options.bucket, Key: key, Body: body, ContentType: CONTENT_TYPES[format] };
      await new Upload({ client: options.client, params, partSize: partBytes, queueSize: options.partsInFlightMax ?? 4, leavePartsOnError: false, abortController }).done();
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  return {
    name: options.name ?? `s3:${options.bucket}/${prefix}`,
    limits,
    counters: reporter.counters,
    async write(records, signal): Promise<SinkOutcome> {
      const groups = [...groupByPartition(records, options.partitionTimeMs)];
      const failed: SinkRecord[] = [];
      let firstError: unknown;
      let bytesSent = 0;
      let uploaded = 0;
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < groups.length) {
          const [partition, group] = groups[next++]!;
          try {
            const body = await encode(group);
            await upload(objectKey(prefix, partition, group, format, options.nodeId), body, signal);
            bytesSent += body.length;
            uploaded++;
          } catch (error) {
            firstError ??= error;
            failed.push(...group);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(uploadsInFlightMax, groups.length) }, worker));
      let outcome: SinkOutcome;
      if (failed.length === 0) outcome = { status: 'success' };
      else if (uploaded === 0) outcome = classifyAwsError(firstError);
      else outcome = { status: 'partial', retry: failed, error: classifyAwsError(firstError).error };
      const report = { calls: groups.length, entriesSent: uploaded, entriesFailed: 0, entriesThrottled: 0, recordsFailedInEntries: 0, bytesSent };
      reportBatch(reporter, records.length, outcome, report);
      return outcome;
    },
    async close() {
      await parquet?.close();
      if (staging) await rm(await staging, { recursive: true, force: true });
    },
  };
}
