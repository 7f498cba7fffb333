import { greedySplit } from '@shopstream/shared';
import type { SinkLimits, SinkRecord } from '../sinks/sink.js';

/** Byte size of a record as sinks count it: its JSON line in UTF-8. */
export function recordBytes(record: SinkRecord): number {
  return Buffer.byteLength(record.json);
}

/** Splits records, in order, into chunks within `recordsMax` and `bytesMax` (shared's greedy split); deterministic, so a replay cuts the same chunks. */
export function chunkByLimits(records: readonly SinkRecord[], limits: Pick<SinkLimits, 'recordsMax' | 'bytesMax'>): SinkRecord[][] {
  return greedySplit(records, recordBytes, limits.recordsMax, limits.bytesMax);
}
