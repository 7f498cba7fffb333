/**
 * Which hour a lake row is partitioned by. Default: the collector's receive time, so a late event
 * lands in the hour it arrived and never rewrites a closed hour. With `partitionBy: timestamp`
 * raw and clean rows go to their event time's hour instead, within limits: an event more than
 * `lateAfterMs` older than its receive time (an offline app's backlog) or from more than
 * `lateAfterMs` in the future (a client clock far ahead) is partitioned by receive time, so
 * hours older than `lateAfterMs` never get new files and compaction (`compactClosedAfterMs` ≥
 * `lateAfterMs`) sees them closed. Either way the row keeps both times as typed columns.
 */
import type { ConfigReader } from '../config/config-reader.js';
import type { SinkRecord } from '../sinks/sink.js';

export type PartitionBy = 'receivedAt' | 'timestamp';

/** `"timestamp":"…"` as the envelope serialises it, read without parsing the whole record. */
const TIMESTAMP_FIELD = /"timestamp":"([^"\\]{1,64})"/;

export function partitionTimeOf(partitionBy: PartitionBy, lateAfterMs: number): (record: SinkRecord) => number {
  if (partitionBy === 'receivedAt') return (record) => record.receivedAtMs;
  return (record) => {
    if (record.zone !== 'raw' && record.zone !== 'clean') return record.receivedAtMs;
    const match = TIMESTAMP_FIELD.exec(record.json);
    const eventMs = match ? Date.parse(match[1]!) : Number.NaN;
    if (!Number.isFinite(eventMs) || Math.abs(record.receivedAtMs - eventMs) > lateAfterMs) return record.receivedAtMs;
    return eventMs;
  };
}

/** The `partitionBy` and `lateAfterMs` keys of the `lake` and `s3` sinks. */
export function readPartitionConfig(entry: ConfigReader): { partitionBy: PartitionBy; lateAfterMs: number } {
  return {
    partitionBy: entry.oneOf<PartitionBy>('partitionBy', 'receivedAt', ['receivedAt', 'timestamp']),
    lateAfterMs: entry.int('lateAfterMs', 10 * 60_000, { min: 0, max: 7 * 86_400_000, unit: 'ms' }),
  };
}

/** The partition-time function a sink's parsed config asks for. */
export function configuredPartitionTime(config: Record<string, unknown>): (record: SinkRecord) => number {
  return partitionTimeOf(config.partitionBy as PartitionBy, config.lateAfterMs as number);
}
