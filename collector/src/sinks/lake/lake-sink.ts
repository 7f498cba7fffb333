/**
 * The local lake: gzip NDJSON files under `<dir>/<zone>/source=…/event_type=…/dt=…/hr=…/`,
 * one JSON envelope per line, readable by DuckDB with `hive_partitioning=true`. One write makes
 * one file per partition present in the batch; files that failed are reported as `partial`
 * so only their records are sent again, and a replay rewrites them under the same names.
 */
import { join } from 'node:path';
import type { Sink, SinkLimits, SinkOutcome, SinkRecord } from '../sink.js';
import { groupByPartition, lakeFileName } from './lake-file-name.js';
import { writeLakeFile } from './lake-writer.js';

export interface LakeSinkOptions {
  readonly name: string;
  readonly dir: string;
  readonly limits: SinkLimits;
  readonly gzipLevel: number;
  /** Put before every file name; the dead-letter writer uses `dlq-<sink>-`. */
  readonly filePrefix?: string;
}

export function createLakeSink(options: LakeSinkOptions): Sink {
  return {
    name: options.name,
    limits: options.limits,
    async write(records: readonly SinkRecord[]): Promise<SinkOutcome> {
      const groups = groupByPartition(records);
      const results = await Promise.allSettled(
        groups.map((group) => {
          const name = lakeFileName(group.records[0]!, group.records[group.records.length - 1]!, options.filePrefix);
          return writeLakeFile(join(options.dir, group.partition, name), group.records.map((r) => r.json), { gzipLevel: options.gzipLevel });
        }),
      );
      const failed = results.flatMap((result, i) => (result.status === 'rejected' ? [{ group: groups[i]!, error: result.reason as Error }] : []));
      if (failed.length === 0) return { status: 'success' };
      // A local file write fails because of the disk (full, read-only, a path blocked), never
      // because of the data, so every failure is retryable: records wait, they are not dead-lettered.
      const error = failed[0]!.error;
      if (failed.length === groups.length) return { status: 'retryable', error };
      return { status: 'partial', retry: failed.flatMap((f) => f.group.records), error };
    },
  };
}
