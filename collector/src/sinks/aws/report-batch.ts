/**
 * Folds one write's `BatchReport` into the sink's counters and its once-per-interval log lines
 * (`<Sink>PutThrottled`, `<Sink>PutFailed`, `<Sink>CallError`), the same way for every AWS sink.
 */
import type { SinkOutcome } from '../sink.js';
import type { BatchReport } from '../aws-batcher.js';
import type { SinkCounters } from './sink-counters.js';

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
