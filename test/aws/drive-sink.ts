/**
 * A minimal stand-in for the delivery engine, so the sink tests exercise a sink on its own:
 * batches records in order within `sink.limits`, writes each batch, re-sends only what a
 * `partial` hands back, waits and re-sends on `retryable`, and stops on `failure`.
 * It counts what it re-sent, which is what the partial-failure tests assert on.
 */
import type { Sink, SinkRecord } from '../../collector/src/sinks/sink.js';

export interface DriveReport {
  readonly batches: number;
  readonly writes: number;
  /** Records written again after a `partial` or `retryable`. */
  readonly resent: number;
}

export interface DriveOptions {
  /** Writes per batch before giving up. */
  readonly attemptsMax?: number;
  readonly backoffMs?: number;
  /** Bytes per record as the engine counts them; default the JSON's UTF-8 length. */
  readonly bytesOf?: (record: SinkRecord) => number;
}

export function batchWithin(records: readonly SinkRecord[], sink: Sink, bytesOf = (r: SinkRecord) => Buffer.byteLength(r.json)): SinkRecord[][] {
  const batches: SinkRecord[][] = [];
  let batch: SinkRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = bytesOf(record);
    if (size > sink.limits.recordBytesMax) throw new Error(`record of ${size} B over the sink's ${sink.limits.recordBytesMax} B`);
    if (batch.length > 0 && (batch.length >= sink.limits.recordsMax || bytes + size > sink.limits.bytesMax)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(record);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

export async function driveSink(sink: Sink, records: readonly SinkRecord[], options: DriveOptions = {}): Promise<DriveReport> {
  const attemptsMax = options.attemptsMax ?? 30;
  const backoffMs = options.backoffMs ?? 10;
  const signal = new AbortController().signal;
  const batches = batchWithin(records, sink, options.bytesOf);
  let writes = 0;
  let resent = 0;
  for (const batch of batches) {
    let pending: readonly SinkRecord[] = batch;
    for (let attempt = 1; ; attempt++) {
      if (attempt > attemptsMax) throw new Error(`batch still failing after ${attemptsMax} writes`);
      if (attempt > 1) resent += pending.length;
      writes++;
      const outcome = await sink.write(pending, signal);
      if (outcome.status === 'success') break;
      if (outcome.status === 'failure') throw outcome.error;
      if (outcome.status === 'partial') pending = outcome.retry;
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
    }
  }
  return { batches: batches.length, writes, resent };
}
