/**
 * Kinesis Data Streams sink: one PutRecords call per ≤ 500 records / ≤ 5 MiB, each record
 * ≤ 1 MiB counting its partition key (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html).
 * Partial failures hand back only the failed entries; throttled entries
 * (`ProvisionedThroughputExceededException`) are counted and logged once per interval.
 * With `aggregation`, records are packed KPL-style (see kpl-aggregator.ts) and the engine may
 * batch far more records per write, since the call limits then apply to aggregated records;
 * keyed by session or user, aggregates are cut per hash bucket and routed by `ExplicitHashKey`
 * so each session's events keep one shard and their order (see hash-key-buckets.ts).
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import type { SinkLimits, SinkRecord } from '../../sink.js';
import type { BatchEntry, CallLimits } from '../aws-batcher.js';
import { createBatchApiSink, type AwsSink } from '../batch-sink.js';
import { applyLimitOverrides } from '../sink-limits.js';
import { createBatchReporter, type AwsSinkCommonOptions } from '../report-batch.js';
import { aggregateRecords, KPL_FRAME_BYTES, type KinesisRecordOut, type UserRecord } from './kpl-aggregator.js';
import { bucketHashKey, bucketOf, HASH_BUCKETS_DEFAULT } from './hash-key-buckets.js';
import { KINESIS_CALL_BYTES_MAX, KINESIS_CALL_ENTRIES_MAX, KINESIS_RECORD_BYTES_MAX } from './kinesis-limits.js';
import { partitionKeyOf, PARTITION_KEY_CHARS_MAX, type PartitionKeyField } from './partition-key.js';

const MIB = 1024 * 1024;
/** Room left for a partition key when the engine measures only the JSON. */
const PARTITION_KEY_BYTES_MAX = PARTITION_KEY_CHARS_MAX * 4;
/** A 128-bit integer in decimal: at most 39 digits; counted against the 1 MiB record limit to be safe. */
const EXPLICIT_HASH_KEY_BYTES_MAX = 39;

export interface KinesisSinkOptions extends AwsSinkCommonOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  /** Default `eventId`. */
  readonly partitionKey?: PartitionKeyField;
  /** KPL aggregation; default off (consumers must deaggregate: KCL, Lambda + aws-kinesis-agg). */
  readonly aggregation?: boolean;
  /** Lower the batching limits (never above the API's); see aws/sink-limits.ts. */
  readonly limits?: Partial<SinkLimits>;
  /** Aggregated and keyed by session/user: hash-space buckets for shard affinity (hash-key-buckets.ts). Default 64. */
  readonly hashBuckets?: number;
}

export type KinesisSink = AwsSink;

const utf8 = new TextEncoder();

export function createKinesisSink(options: KinesisSinkOptions): KinesisSink {
  const field = options.partitionKey ?? 'eventId';
  const aggregation = options.aggregation ?? false;
  const hashBuckets = options.hashBuckets ?? HASH_BUCKETS_DEFAULT;
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

  type UserRecords = UserRecord<SinkRecord>[];
  type Packed = KinesisRecordOut<SinkRecord> & { readonly explicitHashKey?: string };

  /** Event ids need no affinity: aggregates go where their first key sends them, spreading evenly. */
  function pack(users: UserRecords): Packed[] {
    if (!aggregation) return users.map((user) => ({ partitionKey: user.partitionKey, data: user.data, members: [user.ref] }));
    if (field === 'eventId') return aggregateRecords(users, KINESIS_RECORD_BYTES_MAX);
    const byBucket = new Map<number, UserRecords>();
    for (const user of users) {
      const bucket = bucketOf(user.partitionKey, hashBuckets);
      const group = byBucket.get(bucket);
      if (group === undefined) byBucket.set(bucket, [user]);
      else group.push(user);
    }
    return [...byBucket].flatMap(([bucket, group]) => {
      const explicitHashKey = bucketHashKey(bucket, hashBuckets);
      return aggregateRecords(group, KINESIS_RECORD_BYTES_MAX - EXPLICIT_HASH_KEY_BYTES_MAX).map((out) => ({ ...out, explicitHashKey }));
    });
  }

  function toEntries(records: readonly SinkRecord[]): BatchEntry<PutRecordsRequestEntry>[] {
    const users = records.map((record) => ({ partitionKey: partitionKeyOf(record, field), data: utf8.encode(record.json), ref: record }));
    return pack(users).map((out) => ({
      entry: { Data: out.data, PartitionKey: out.partitionKey, ...(out.explicitHashKey === undefined ? {} : { ExplicitHashKey: out.explicitHashKey }) },
      bytes: out.data.length + utf8.encode(out.partitionKey).length + (out.explicitHashKey?.length ?? 0),
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
