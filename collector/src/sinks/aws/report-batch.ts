/**
 * Folds one write's `BatchReport` into the sink's counters and its once-per-interval log lines
 * (`<Sink>PutThrottled`, `<Sink>PutFailed`, `<Sink>CallError`), the same way for every AWS sink.
 */
import type { SinkOutcome } from '../sink.js';
import { LogEvent } from '../../telemetry/events.js';
import type { BatchReport } from './aws-batcher.js';
import { createSinkCounters, type SinkCounters } from '../sink-counters.js';
import { createIntervalLog, stderrSinkLog, type SinkLog } from './interval-log.js';

/** Each AWS sink's log events (listed in telemetry/events.ts); S3 has no per-entry results. */
const EVENTS = {
  Kinesis: { throttled: LogEvent.KinesisPutThrottled, failed: LogEvent.KinesisPutFailed, callError: LogEvent.KinesisCallError },
  Firehose: { throttled: LogEvent.FirehosePutThrottled, failed: LogEvent.FirehosePutFailed, callError: LogEvent.FirehoseCallError },
  S3: { throttled: LogEvent.S3CallError, failed: LogEvent.S3CallError, callError: LogEvent.S3CallError },
} as const;
export type AwsSinkNoun = keyof typeof EVENTS;

export interface BatchReporter {
  readonly counters: SinkCounters;
  /** Interval log: `note(event, fields, count)`. */
  readonly note: (event: string, fields: Readonly<Record<string, unknown>>, count?: number) => void;
  /** Event-name prefix; the names are listed in telemetry/events.ts. */
  readonly noun: AwsSinkNoun;
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
    note(EVENTS[noun].callError, { ...target, status: outcome.status, message: outcome.error?.message });
  }
  if (report.entriesThrottled > 0) note(EVENTS[noun].throttled, { ...target, code: report.firstErrorCode }, report.entriesThrottled);
  const otherFailures = report.entriesFailed - report.entriesThrottled;
  if (otherFailures > 0) note(EVENTS[noun].failed, { ...target, code: report.firstErrorCode, message: report.firstErrorMessage }, otherFailures);
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
export function createBatchReporter(noun: AwsSinkNoun, target: Readonly<Record<string, unknown>>, options: AwsSinkCommonOptions): BatchReporter {
  const note = createIntervalLog({ log: options.log ?? stderrSinkLog, intervalMs: options.logIntervalMs ?? 60_000, nowMs: options.nowMs });
  return { counters: createSinkCounters(), note, noun, target };
}
