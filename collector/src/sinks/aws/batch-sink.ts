/**
 * A sink built from one batch API's shape: how records become entries, and how one call of
 * entries is sent. Kinesis and Firehose are both this, differing only in record shape; the
 * splitting into calls, the partial-failure path and the reporting are shared.
 */
import type { Sink, SinkLimits, SinkOutcome, SinkRecord } from '../sink.js';
import { sendInCalls, type BatchEntry, type CallLimits, type EntryResult } from './aws-batcher.js';
import type { SinkCounters } from '../sink-counters.js';
import { reportBatch, type BatchReporter } from './report-batch.js';

/** A sink with counters the telemetry exporter reads. */
export interface AwsSink extends Sink {
  readonly counters: SinkCounters;
}

export interface BatchApiShape<E> {
  readonly name: string;
  readonly limits: SinkLimits;
  readonly callLimits: CallLimits;
  readonly reporter: BatchReporter;
  toEntries(records: readonly SinkRecord[]): BatchEntry<E>[];
  /** One call; answers one result per entry in order, or throws the SDK error. */
  put(entries: readonly E[], signal: AbortSignal): Promise<readonly EntryResult[]>;
}

export function createBatchApiSink<E>(shape: BatchApiShape<E>): AwsSink {
  return {
    name: shape.name,
    limits: shape.limits,
    counters: shape.reporter.counters,
    async write(records, signal): Promise<SinkOutcome> {
      const { outcome, report } = await sendInCalls(shape.toEntries(records), shape.callLimits, (entries) => shape.put(entries, signal));
      reportBatch(shape.reporter, records.length, outcome, report);
      return outcome;
    },
  };
}
