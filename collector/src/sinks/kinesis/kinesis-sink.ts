/**
 * Kinesis Data Streams sink: one PutRecords call per ≤ 500 records / ≤ 5 MiB, each record
 * ≤ 1 MiB counting its partition key (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html).
 * Partial failures hand back only the failed entries; throttled entries
 * (`ProvisionedThroughputExceededException`) are counted and logged once per interval.
 * With `aggregation`, records are packed KPL-style (see kpl-aggregator.ts) and the engine may
 * batch far more records per write, since the call limits then apply to aggregated records.
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import type { SinkLimits, SinkRecord } from '../sink.js';
import type { BatchEntry, CallLimits } from '../aws-batcher.js';
import { createBatchApiSink, type AwsSink } from '../aws/batch-sink.js';
import { applyLimitOverrides } from '../aws/sink-limits.js';
import { createBatchReporter, type AwsSinkCommonOptions } from '../aws/report-batch.js';
import { aggregateRecords, KPL_FRAME_BYTES } from './kpl-aggregator.js';
import { partitionKeyOf, PARTITION_KEY_CHARS_MAX, type PartitionKeyField } from './partition-key.js';

const MIB = 1024 * 1024;
/** PutRecords: entries per call. */
export const KINESIS_CALL_ENTRIES_MAX = 500;
/** PutRecords: request bytes (data + partition keys) per call. */
export const KINESIS_CALL_BYTES_MAX = 5 * MIB;
/** One record: data + partition key. */
export const KINESIS_RECORD_BYTES_MAX = 1 * MIB;
/** Room left for a partition key when the engine measures only the JSON. */
const PARTITION_KEY_BYTES_MAX = PARTITION_KEY_CHARS_MAX * 4;

export interface KinesisSinkOptions extends AwsSinkCommonOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  /** Default `eventId`. */
  readonly partitionKey?: PartitionKeyField;
  /** KPL aggregation; default off (consumers must deaggregate: KCL, Lambda + aws-kinesis-agg). */
  readonly aggregation?: boolean;
  /** Lower the batching limits (never above the API's); see aws/sink-limits.ts. */
  readonly limits?: Partial<SinkLimits>;
}

export type KinesisSink = AwsSink;

const utf8 = new TextEncoder();

export function createKinesisSink(options: KinesisSinkOptions): KinesisSink {
  const field = options.partitionKey ?? 'eventId';
  const aggregation = options.aggregation ?? false;
  const reporter = createBatchReporter('Kinesis', { stream: options.streamName }, options);
  const callLimits: CallLimits = { entriesMax: KINESIS_CALL_ENTRIES_MAX, bytesMax: KINESIS_CALL_BYTES_MAX };
  const recordBytesMax = KINESIS_RECORD_BYTES_MAX - PARTITION_KEY_BYTES_MAX;
  const ceilings: SinkLimits = aggregation
    ? {
        // The byte bound is what limits in practice: ~10,000 typical events per write.
        recordsMax: 50_000,
        // JSON bytes; aggregation adds a key table entry and ~6 framing bytes per record, so leave a fifth spare.
        bytesMax: 4 * MIB,
        recordBytesMax: recordBytesMax - KPL_FRAME_BYTES - 2 * PARTITION_KEY_BYTES_MAX,
        lingerMs: options.lingerMs ?? 500,
      }
    : {
        recordsMax: KINESIS_CALL_ENTRIES_MAX,
        bytesMax: KINESIS_CALL_BYTES_MAX - KINESIS_CALL_ENTRIES_MAX * PARTITION_KEY_BYTES_MAX,
        recordBytesMax,
        lingerMs: options.lingerMs ?? 500,
      };
  const limits = applyLimitOverrides(ceilings, options.limits);

  function toEntries(records: readonly SinkRecord[]): BatchEntry<PutRecordsRequestEntry>[] {
    const users = records.map((record) => ({ partitionKey: partitionKeyOf(record, field), data: utf8.encode(record.json), ref: record }));
    const packed = aggregation
      ? aggregateRecords(users, KINESIS_RECORD_BYTES_MAX)
      : users.map((user) => ({ partitionKey: user.partitionKey, data: user.data, members: [user.ref] }));
    return packed.map((out) => ({
      entry: { Data: out.data, PartitionKey: out.partitionKey },
      bytes: out.data.length + utf8.encode(out.partitionKey).length,
      records: out.members,
    }));
  }

  return createBatchApiSink({
    name: options.name ?? `kinesis:${options.streamName}`,
    limits,
    callLimits,
    reporter,
    toEntries,
    async put(entries, signal) {
      const answer = await options.client.send(new PutRecordsCommand({ StreamName: options.streamName, Records: [...entries] }), { abortSignal: signal });
      return (answer.Records ?? []).map((result) => ({ errorCode: result.ErrorCode, errorMessage: result.ErrorMessage }));
    },
  });
}
