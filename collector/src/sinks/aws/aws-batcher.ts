/**
 * The batch path Kinesis and Firehose share (they differ only in record shape, as in Vector's
 * `aws_kinesis` sinks): split a sink batch into API calls within the per-call limits, send the
 * calls one after another, and turn per-entry results into one `SinkOutcome` in which only the
 * failed entries are handed back for retry.
 */
import { greedySplit } from '@shopstream/shared';
import type { SinkOutcome, SinkRecord } from '../sink.js';
import { classifyAwsError, isThrottlingCode } from './classify-aws-error.js';

/** One API call's limits, e.g. PutRecords: 500 entries, 5 MiB. */
export interface CallLimits {
  readonly entriesMax: number;
  readonly bytesMax: number;
}

/** One API entry and the sink records it carries (one, or many when aggregated). */
export interface BatchEntry<E> {
  readonly entry: E;
  readonly bytes: number;
  readonly records: readonly SinkRecord[];
}

/** The per-entry answer of a batch API: an error code when that entry failed. */
export interface EntryResult {
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/** What a batch of calls did, for the sink's counters and its throttling log. */
export interface BatchReport {
  readonly calls: number;
  readonly entriesSent: number;
  readonly entriesFailed: number;
  readonly entriesThrottled: number;
  /** Records in entries the service answered with an error (not counting calls that threw). */
  readonly recordsFailedInEntries: number;
  readonly bytesSent: number;
  /** First error code seen per failed entry kind, for one log line instead of one per record. */
  readonly firstErrorCode?: string;
  readonly firstErrorMessage?: string;
}

/** Greedy split in order (shared's greedySplit): a new call starts when the next entry would pass either limit. */
export function splitIntoCalls<E>(entries: readonly BatchEntry<E>[], limits: CallLimits): BatchEntry<E>[][] {
  return greedySplit(entries, (entry) => entry.bytes, limits.entriesMax, limits.bytesMax);
}

/**
 * Sends `entries` in calls within `limits`. `put` answers one result per entry, in order, or
 * throws the SDK's error for the whole call. A thrown call and every call after it are handed
 * back whole (`partial` when something before it landed), so nothing is sent twice on our side.
 */
export async function sendInCalls<E>(
  entries: readonly BatchEntry<E>[],
  limits: CallLimits,
  put: (entries: readonly E[]) => Promise<readonly EntryResult[]>,
): Promise<{ outcome: SinkOutcome; report: BatchReport }> {
  const calls = splitIntoCalls(entries, limits);
  const retry: SinkRecord[] = [];
  let callsMade = 0;
  let entriesSent = 0;
  let entriesFailed = 0;
  let entriesThrottled = 0;
  let bytesSent = 0;
  let firstErrorCode: string | undefined;
  let firstErrorMessage: string | undefined;
  for (let at = 0; at < calls.length; at++) {
    const call = calls[at]!;
    let results: readonly EntryResult[];
    try {
      callsMade++;
      results = await put(call.map((item) => item.entry));
    } catch (error) {
      const unsent = calls.slice(at).flat().flatMap((item) => item.records);
      const thrown = classifyAwsError(error);
      const report = { calls: callsMade, entriesSent, entriesFailed, entriesThrottled, recordsFailedInEntries: retry.length, bytesSent, firstErrorCode, firstErrorMessage };
      // Nothing landed yet: the whole batch shares the call's fate (retryable, or final when the request itself is invalid).
      if (at === 0) return { outcome: thrown, report };
      return { outcome: { status: 'partial', retry: [...retry, ...unsent], error: thrown.error }, report };
    }
    if (results.length !== call.length) throw new Error(`batch API answered ${results.length} results for ${call.length} entries`);
    for (let i = 0; i < call.length; i++) {
      const result = results[i]!;
      const item = call[i]!;
      if (result.errorCode === undefined) {
        entriesSent++;
        bytesSent += item.bytes;
        continue;
      }
      entriesFailed++;
      if (isThrottlingCode(result.errorCode)) entriesThrottled++;
      firstErrorCode ??= result.errorCode;
      firstErrorMessage ??= result.errorMessage;
      retry.push(...item.records);
    }
  }
  const report = { calls: callsMade, entriesSent, entriesFailed, entriesThrottled, recordsFailedInEntries: retry.length, bytesSent, firstErrorCode, firstErrorMessage };
  if (retry.length === 0) return { outcome: { status: 'success' }, report };
  const error = new Error(`${entriesFailed} of ${entries.length} entries failed (first: ${firstErrorCode}: ${firstErrorMessage ?? ''})`);
  return { outcome: { status: 'partial', retry, error }, report };
}
