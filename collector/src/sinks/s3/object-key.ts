/**
 * S3 object keys: `<prefix>/<zone>/source=<s>/event_type=<t>/dt=YYYY-MM-DD/hr=HH/<first>-<last>.<ext>`,
 * the same Hive layout as the local lake (`hivePartitionPath`), so Athena, Spark and DuckDB read
 * both alike. The file name is the WAL position of its first and last record (Lsn zero-padded to
 * 16 digits so names sort in WAL order, then the record's index within its WAL record): the
 * engine replays a batch with the same boundaries, so a replay overwrites the same key instead
 * of adding a duplicate object.
 */
import { hivePartitionPath } from '@shopstream/shared';
import type { SinkRecord } from '../sink.js';

export type S3Format = 'ndjson' | 'parquet';

const EXTENSIONS: Record<S3Format, string> = { ndjson: 'ndjson.gz', parquet: 'parquet' };
const LSN_DIGITS = 16;

/** The partition folder a record belongs in, by zone, source, event type and receive hour (UTC). */
export function partitionOf(record: SinkRecord): string {
  return hivePartitionPath(record.zone, record.source, record.eventType, new Date(record.receivedAtMs));
}

function position(record: SinkRecord): string {
  return `${String(record.lsn).padStart(LSN_DIGITS, '0')}.${record.index}`;
}

/** `records` are one partition's records of a batch, in WAL order. */
export function objectKey(prefix: string, partition: string, records: readonly SinkRecord[], format: S3Format): string {
  const name = `${position(records[0]!)}-${position(records[records.length - 1]!)}.${EXTENSIONS[format]}`;
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? `${partition}/${name}` : `${trimmed}/${partition}/${name}`;
}

/** Splits a batch by partition, keeping WAL order inside each. */
export function groupByPartition(records: readonly SinkRecord[]): Map<string, SinkRecord[]> {
  const groups = new Map<string, SinkRecord[]>();
  for (const record of records) {
    const partition = partitionOf(record);
    const group = groups.get(partition);
    if (group === undefined) groups.set(partition, [record]);
    else group.push(record);
  }
  return groups;
}
