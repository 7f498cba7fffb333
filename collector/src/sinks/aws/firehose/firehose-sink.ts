/**
 * Kinesis Data Firehose sink: PutRecordBatch with ≤ 500 records and ≤ 4 MiB per call, each
 * record ≤ 1,000 KiB (https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html),
 * one event per record as newline-delimited JSON (`json + '\n'`), since Firehose concatenates
 * records into its S3 objects as they are. Failed entries (`FailedPutCount`, e.g.
 * `ServiceUnavailableException`) are the only ones handed back for retry.
 */
import { PutRecordBatchCommand, type FirehoseClient, type _Record as FirehoseRecord } from '@aws-sdk/client-firehose';
import type { SinkLimits, SinkRecord } from '../../sink.js';
import type { BatchEntry, CallLimits } from '../aws-batcher.js';
import { createBatchApiSink, type AwsSink } from '../batch-sink.js';
import { applyLimitOverrides } from '../sink-limits.js';
import { createBatchReporter, type AwsSinkCommonOptions } from '../report-batch.js';
import { FIREHOSE_CALL_BYTES_MAX, FIREHOSE_CALL_ENTRIES_MAX, FIREHOSE_RECORD_BYTES_MAX } from './firehose-limits.js';

const NEWLINE_BYTES = 1;

export interface FirehoseSinkOptions extends AwsSinkCommonOptions {
  readonly client: FirehoseClient;
  readonly deliveryStreamName: string;
  /** Lower the batching limits (never above the API's); see aws/sink-limits.ts. */
  readonly limits?: Partial<SinkLimits>;
}

export type FirehoseSink = AwsSink;

const utf8 = new TextEncoder();

export function createFirehoseSink(options: FirehoseSinkOptions): FirehoseSink {
  const reporter = createBatchReporter('Firehose', { deliveryStream: options.deliveryStreamName }, options);
  const callLimits: CallLimits = { entriesMax: FIREHOSE_CALL_ENTRIES_MAX, bytesMax: FIREHOSE_CALL_BYTES_MAX };
  const limits = applyLimitOverrides({
    recordsMax: FIREHOSE_CALL_ENTRIES_MAX,
    bytesMax: FIREHOSE_CALL_BYTES_MAX - FIREHOSE_CALL_ENTRIES_MAX * NEWLINE_BYTES,
    recordBytesMax: FIREHOSE_RECORD_BYTES_MAX - NEWLINE_BYTES,
    lingerMs: options.lingerMs ?? 500,
  }, options.limits);

  const toEntries = (records: readonly SinkRecord[]): BatchEntry<FirehoseRecord>[] =>
    records.map((record) => {
      const data = utf8.encode(`${record.json}\n`);
      return { entry: { Data: data }, bytes: data.length, records: [record] };
    });

  return createBatchApiSink({
    name: options.name ?? `firehose:${options.deliveryStreamName}`,
    limits,
    callLimits,
    reporter,
    toEntries,
    async put(entries, signal) {
      const answer = await options.client.send(new PutRecordBatchCommand({ DeliveryStreamName: options.deliveryStreamName, Records: [...entries] }), { abortSignal: signal });
      return (answer.RequestResponses ?? []).map((result) => ({ errorCode: result.ErrorCode, errorMessage: result.ErrorMessage }));
    },
  });
}
