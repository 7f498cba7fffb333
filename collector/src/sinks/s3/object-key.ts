/**
 * S3 object keys: `<prefix>/<zone>/source=<s>/event_type=<t>/dt=YYYY-MM-DD/hr=HH/<name>`, the
 * local lake's layout and file names (../lake/lake-file-name.ts), so Athena, Spark and DuckDB
 * read both alike. The name is the WAL position of the file's first and last record
 * (`<firstLsn>_<firstIndex>-<lastLsn>_<lastIndex>`, zero-padded): the engine replays a batch with
 * the same boundaries, so a replay overwrites the same key instead of adding a duplicate object.
 */
import type { SinkRecord } from '../sink.js';
import { groupByPartition as groupLikeLake, lakeFileName } from '../lake/lake-file-name.js';

export type S3Format = 'ndjson' | 'parquet';

const LAKE_EXTENSION = '.ndjson.gz';
const EXTENSIONS: Record<S3Format, string> = { ndjson: LAKE_EXTENSION, parquet: '.parquet' };

/** `records` are one partition's records of a batch, in WAL order. */
export function objectKey(prefix: string, partition: string, records: readonly SinkRecord[], format: S3Format): string {
  const stem = lakeFileName(records[0]!, records[records.length - 1]!).slice(0, -LAKE_EXTENSION.length);
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  const name = `${partition}/${stem}${EXTENSIONS[format]}`;
  return trimmed === '' ? name : `${trimmed}/${name}`;
}

/** Splits a batch by Hive partition, keeping WAL order inside each: the same grouping as the lake. */
export function groupByPartition(records: readonly SinkRecord[]): Map<string, SinkRecord[]> {
  return new Map(groupLikeLake(records).map((group) => [group.partition, group.records]));
}
