/**
 * Lake file names come from the WAL position of their records, never from a clock or a
 * counter: a batch replayed after a crash yields the same names, so it overwrites the files it
 * wrote before instead of adding duplicates. `<firstLsn>_<firstIndex>-<lastLsn>_<lastIndex>`,
 * zero-padded so names sort in log order (Lsn: 16 digits, 2^53 fits; index: 6 digits).
 */
import { hivePartitionPath } from '@shopstream/shared';
import type { SinkRecord } from '../sink.js';

const pad = (value: number, digits: number) => String(value).padStart(digits, '0');

export function lakeFileName(first: SinkRecord, last: SinkRecord, prefix = ''): string {
  return `${prefix}${pad(first.lsn, 16)}_${pad(first.index, 6)}-${pad(last.lsn, 16)}_${pad(last.index, 6)}.ndjson.gz`;
}

export interface LakeFileGroup {
  /** `<zone>/source=…/event_type=…/dt=…/hr=…` */
  readonly partition: string;
  readonly records: SinkRecord[];
}

const HOUR_MS = 3_600_000;

/**
 * Groups records by partition, keeping log order inside each group. `partitionTimeMs` picks the
 * hour (default the receive time; ../../lake/event-time.ts for event time).
 */
export function groupByPartition(records: readonly SinkRecord[], partitionTimeMs: (record: SinkRecord) => number = (r) => r.receivedAtMs): LakeFileGroup[] {
  const groups = new Map<string, SinkRecord[]>();
  // Records of one batch share few partitions: build each path once, not once per record.
  const paths = new Map<string, string>();
  for (const record of records) {
    const atMs = partitionTimeMs(record);
    const hour = Math.floor(atMs / HOUR_MS);
    const key = `${record.zone}\u0000${record.source}\u0000${record.eventType}\u0000${hour}`;
    let partition = paths.get(key);
    if (partition === undefined) paths.set(key, (partition = hivePartitionPath(record.zone, record.source, record.eventType, new Date(atMs))));
    let list = groups.get(partition);
    if (!list) groups.set(partition, (list = []));
    list.push(record);
  }
  return [...groups].map(([partition, list]) => ({ partition, records: list }));
}
