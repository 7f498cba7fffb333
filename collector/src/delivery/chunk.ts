import type { SinkLimits, SinkRecord } from '../sinks/sink.js';

/** Byte size of a record as sinks count it: its JSON line in UTF-8. */
export function recordBytes(record: SinkRecord): number {
  return Buffer.byteLength(record.json);
}

/** Splits records, in order, into chunks within `recordsMax` and `bytesMax`; deterministic, so a replay cuts the same chunks. */
export function chunkByLimits(records: readonly SinkRecord[], limits: Pick<SinkLimits, 'recordsMax' | 'bytesMax'>): SinkRecord[][] {
  const chunks: SinkRecord[][] = [];
  let current: SinkRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = recordBytes(record);
    if (current.length > 0 && (current.length >= limits.recordsMax || bytes + size > limits.bytesMax)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
