/**
 * Folds one write's `BatchReport` into the sink's counters and its once-per-interval log lines
 * (`<Sink>PutThrottled`, `<Sink>PutFailed`, `<Sink>CallError`), the same way for every AWS sink.
 */
import type { SinkOutcome } from '../sink.js';
import type { BatchReport } from '../aws-batcher.js';
import { createSinkCounters, type SinkCounters } from './sink-counters.js';
import { createIntervalLog, stderrSinkLog, type SinkLog } from './interval-log.js';

export interface BatchReporter {
  readonly counters: SinkCounters;
  /** Interval log: `note(event, fields, count)`. */
  readonly note: (event: string, fields: Readonly<Record<string, unknown>>, count?: number) => void;
  /** Event-name prefix: `Kinesis`, `Firehose`, `S3`. */
  readonly noun: string;
  /** Fields naming the destination, e.g. `{ stream }`. */
  readonly target: Readonly<Record<string, unknown>>;
}

export function reportBatch(reporter: BatchReporter, recordsCount: number, outcome: SinkOutcome, report: BatchReport): void {
  const { counters, note, noun, target } = reporter;
  const unsent = outcome.status === 'success' ? 0 : outcome.status === 'partial' ? outcome.retry.length : recordsCount;
  counters.calls += report.calls;
  counters.bytesWritten += report.bytesSent;
  counters.entriesThrottled += report.entriesThrottled;
  counters.recordsWritten += recordsCount - unsent;
  if (outcome.status !== 'failure') counters.recordsRetried += unsent;
  const callFailed = outcome.status === 'retryable' || outcome.status === 'failure' || (outcome.status === 'partial' && unsent > report.recordsFailedInEntries);
  if (callFailed) {
    counters.callErrors++;
    note(`${noun}CallError`, { ...target, status: outcome.status, message: outcome.error?.message });
  }
  if (report.entriesThrottled > 0) note(`${noun}PutThrottled`, { ...target, code: report.firstErrorCode }, report.entriesThrottled);
  const otherFailures = report.entriesFailed - report.entriesThrottled;
  if (otherFailures > 0) note(`${noun}PutFailed`, { ...target, code: report.firstErrorCode, message: report.firstErrorMessage }, otherFailures);
}

/** Options every AWS sink takes for its batching hint and its reporting. */
export interface AwsSinkCommonOptions {
  readonly name?: string;
  /** How long the engine may hold a partial batch. Default 500 ms for streams, 60 s for S3 files. */
  readonly lingerMs?: number;
  readonly log?: SinkLog;
  /** Throttling/partial-failure log interval. Default 60 s. */
  readonly logIntervalMs?: number;
  readonly nowMs?: () => number;
}

/** Fresh counters and the reporter writing into them and into the interval log. */
export function createBatchReporter(noun: string, target: Readonly<Record<string, unknown>>, options: AwsSinkCommonOptions): BatchReporter {
  const note = createIntervalLog({ log: options.log ?? stderrSinkLog, intervalMs: options.logIntervalMs ?? 60_000, nowMs: options.nowMs });
  return { counters: createSinkCounters(), note, noun, target };
}
