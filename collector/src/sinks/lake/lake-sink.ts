/**
 * The local lake: files under `<dir>/<zone>/source=…/event_type=…/dt=…/hr=…/`, one lake row
 * per record (../../lake/lake-row.ts: typed columns from the catalog, the same in every zone and
 * format), readable by DuckDB with the views `shopstream-collector lake views` prints. Gzip NDJSON
 * by default, or Parquet (`format: parquet`, ../../lake/parquet-writer.ts) in every zone. One write makes
 * one file per partition present in the batch; files that failed are reported as `partial` so
 * only their records are sent again, and a replay rewrites them under the same names.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildLakeCatalog, type LakeCatalog } from '../../lake/lake-catalog.js';
import { lakeRows } from '../../lake/lake-row.js';
import type { ParquetWriter } from '../../lake/parquet-writer.js';
import { gzipOnThread } from '../gzip-on-thread.js';
import type { Sink, SinkLimits, SinkOutcome, SinkRecord } from '../sink.js';
import { groupByPartition, lakeFileName } from './lake-file-name.js';
import { lakeTempPath, publishLakeFile, writeLakeFile } from './lake-writer.js';

export interface LakeSinkOptions {
  readonly name: string;
  readonly dir: string;
  readonly limits: SinkLimits;
  readonly gzipLevel: number;
  /** The tables rows are shaped by; default: no event schemas (the dead-letter writer's failed zone needs none). */
  readonly catalog?: LakeCatalog;
  /** Put before every file name; the dead-letter writer uses `dlq-<sink>-`. */
  readonly filePrefix?: string;
  /** Default `ndjson` (gzip); `parquet` writes every zone through `parquetWriter`. */
  readonly format?: LakeFormat;
  /** Required for `parquet`; writes into the lake's staging folder (`<dir>/_tmp`). */
  readonly parquetWriter?: ParquetWriter;
  /** Hour of a record's partition; default its receive time (../../lake/event-time.ts). */
  readonly partitionTimeMs?: (record: SinkRecord) => number;
}

export type LakeFormat = 'ndjson' | 'parquet';

const NDJSON_EXTENSION = '.ndjson.gz';

export function createLakeSink(options: LakeSinkOptions): Sink {
  const parquet = options.format === 'parquet' ? options.parquetWriter : undefined;
  if (options.format === 'parquet' && !parquet) throw new Error('lake sink: format parquet needs a parquetWriter');
  const catalog = options.catalog ?? buildLakeCatalog([]);
  const writeGroup = async (partition: string, records: readonly SinkRecord[]): Promise<void> => {
    const first = records[0]!;
    const table = catalog.table(first.zone, first.eventType);
    const kind = catalog.kindOf(first.eventType);
    const { lines } = lakeRows(records, table, kind ? { defaultKind: kind } : {});
    const ndjsonName = lakeFileName(first, records[records.length - 1]!, options.filePrefix);
    if (parquet) {
      const name = `${ndjsonName.slice(0, -NDJSON_EXTENSION.length)}.parquet`;
      const temp = await lakeTempPath(options.dir, name);
      try {
        await parquet.write(lines, table, temp);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      await publishLakeFile(temp, join(options.dir, partition, name));
      return;
    }
    const body = await gzipOnThread(Buffer.from(`${lines.join('\n')}\n`), options.gzipLevel);
    await writeLakeFile(options.dir, join(options.dir, partition, ndjsonName), body);
  };
  return {
    name: options.name,
    limits: options.limits,
    async write(records: readonly SinkRecord[]): Promise<SinkOutcome> {
      const groups = groupByPartition(records, options.partitionTimeMs);
      const results = await Promise.allSettled(groups.map((group) => writeGroup(group.partition, group.records)));
      const failed = results.flatMap((result, i) => (result.status === 'rejected' ? [{ group: groups[i]!, error: result.reason as Error }] : []));
      if (failed.length === 0) return { status: 'success' };
      // A local file write fails because of the disk (full, read-only, a path blocked), never
      // because of the data (rows are total), so every failure is retryable: records wait.
      const error = failed[0]!.error;
      if (failed.length === groups.length) return { status: 'retryable', error };
      return { status: 'partial', retry: failed.flatMap((f) => f.group.records), error };
    },
    async close() {
      await parquet?.close();
    },
  };
}
