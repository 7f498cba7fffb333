/**
 * S3 object keys: `<prefix>/<zone>/source=<s>/event_type=<t>/dt=YYYY-MM-DD/hr=HH/<name>`, the
 * local lake's layout and file names (../lake/lake-file-name.ts), so Athena, Spark and DuckDB
 * read both alike. The name is the collector's node id (../../pipeline/dedupe/node-id.ts, stable
 * per WAL directory) and the WAL position of the file's first and last record
 * (`<nodeId>-<firstLsn>_<firstIndex>-<lastLsn>_<lastIndex>`, zero-padded): Lsns of two collectors
 * overlap, so without the node id collectors sharing a bucket and prefix would overwrite each
 * other's objects; the engine replays a batch with the same boundaries, so a replay overwrites
 * the same key instead of adding a duplicate object.
 */
import type { SinkRecord } from '../../sink.js';
import { groupByPartition as groupLikeLake, lakeFileName } from '../../lake/lake-file-name.js';

export type S3Format = 'ndjson' | 'parquet';

const LAKE_EXTENSION = '.ndjson.gz';
const EXTENSIONS: Record<S3Format, string> = { ndjson: LAKE_EXTENSION, parquet: '.parquet' };

/**
 * `records` are one partition's records of a batch, in WAL order; `nodeId` names the collector
 * (sanitised to `[A-Za-z0-9_.-]`, at most 64 characters; empty: no node part, one collector per prefix).
 */
export function objectKey(prefix: string, partition: string, records: readonly SinkRecord[], format: S3Format, nodeId = ''): string {
  const node = sanitiseNodeId(nodeId);
  const stem = lakeFileName(records[0]!, records[records.length - 1]!, node === '' ? '' : `${node}-`).slice(0, -LAKE_EXTENSION.length);
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  const name = `${partition}/${stem}${EXTENSIONS[format]}`;
  return trimmed === '' ? name : `${trimmed}/${name}`;
}

/** Keeps a node id safe as part of an object name: other characters become `_`, at most 64 kept. */
export function sanitiseNodeId(nodeId: string): string {
  return nodeId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);
}

/** Splits a batch by Hive partition, keeping WAL order inside each: the same grouping as the lake. */
export function groupByPartition(records: readonly SinkRecord[], partitionTimeMs?: (record: SinkRecord) => number): Map<string, SinkRecord[]> {
  return new Map(groupLikeLake(records, partitionTimeMs).map((group) => [group.partition, group.records]));
}
