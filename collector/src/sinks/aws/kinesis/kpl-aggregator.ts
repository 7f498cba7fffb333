/**
 * KPL record aggregation: packs many small user records into one Kinesis record, in the format
 * the Kinesis Producer Library writes and the KCL (and `aws-kinesis-agg`) deaggregates
 * (https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md):
 *
 *   bytes 0..3    magic F3 89 9A C2
 *   bytes 4..n    protobuf AggregatedRecord
 *   last 16 bytes MD5 of the protobuf bytes
 *
 *   message AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2; repeated Record records = 3; }
 *   message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2; required bytes data = 3; }
 *
 * Why: Kinesis bills and throttles per record (1,000 records/s per shard) and PutRecords takes
 * 500 per call, so 400-byte events waste both; aggregated, a call carries thousands.
 * The outer record takes the first user record's partition key (as the KPL does without a shard
 * map), so user records of one batch share a shard; per-key order holds within a batch and the
 * KCL hands each user record back with its own key. A lone record is sent plain, not wrapped.
 */
import { createHash } from 'node:crypto';
import { ProtobufWriter, delimitedFieldBytes, varintFieldBytes } from './protobuf-writer.js';

export const KPL_MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
const MD5_BYTES = 16;
/** Magic + digest around the protobuf message. */
export const KPL_FRAME_BYTES = KPL_MAGIC.length + MD5_BYTES;

const FIELD_PARTITION_KEY_TABLE = 1;
const FIELD_RECORDS = 3;
const FIELD_RECORD_PARTITION_KEY_INDEX = 1;
const FIELD_RECORD_DATA = 3;

export interface UserRecord<T> {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  /** Carried through so a failed aggregated record maps back to what it holds. */
  readonly ref: T;
}

export interface KinesisRecordOut<T> {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly members: readonly T[];
}

const utf8 = new TextEncoder();

/** A record being filled: its key table and the protobuf size so far. */
interface Open<T> {
  readonly keys: Map<string, number>;
  readonly keyBytes: Uint8Array[];
  readonly records: { readonly keyIndex: number; readonly data: Uint8Array; readonly innerBytes: number }[];
  readonly members: T[];
  readonly partitionKey: string;
  readonly partitionKeyBytes: number;
  protobufBytes: number;
}

function recordInnerBytes(keyIndex: number, dataBytes: number): number {
  return varintFieldBytes(keyIndex) + delimitedFieldBytes(dataBytes);
}

/**
 * Packs `records` in order into Kinesis records of at most `kinesisRecordBytesMax` each,
 * counting data plus partition key as Kinesis does (1 MiB per record).
 * Throws if a single user record cannot fit even alone: the caller's limits let it through (a bug).
 */
export function aggregateRecords<T>(records: readonly UserRecord<T>[], kinesisRecordBytesMax: number): KinesisRecordOut<T>[] {
  const out: KinesisRecordOut<T>[] = [];
  let open: Open<T> | undefined;
  const close = (): void => {
    if (open !== undefined) out.push(encodeOpen(open));
    open = undefined;
  };
  for (const record of records) {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (open === undefined) {
        const partitionKeyBytes = utf8.encode(record.partitionKey).length;
        open = { keys: new Map(), keyBytes: [], records: [], members: [], partitionKey: record.partitionKey, partitionKeyBytes, protobufBytes: 0 };
      }
      const knownIndex = open.keys.get(record.partitionKey);
      const keyIndex = knownIndex ?? open.keys.size;
      const newKey = knownIndex === undefined ? utf8.encode(record.partitionKey) : undefined;
      const innerBytes = recordInnerBytes(keyIndex, record.data.length);
      const addedBytes = (newKey === undefined ? 0 : delimitedFieldBytes(newKey.length)) + delimitedFieldBytes(innerBytes);
      const totalBytes = KPL_FRAME_BYTES + open.protobufBytes + addedBytes + open.partitionKeyBytes;
      const plainBytes = record.data.length + open.partitionKeyBytes;
      const fits = open.records.length === 0 ? plainBytes <= kinesisRecordBytesMax : totalBytes <= kinesisRecordBytesMax;
      if (!fits) {
        if (open.records.length === 0) throw new Error(`a ${record.data.length}-byte record cannot fit a ${kinesisRecordBytesMax}-byte Kinesis record`);
        close();
        continue;
      }
      if (newKey !== undefined) {
        open.keys.set(record.partitionKey, keyIndex);
        open.keyBytes.push(newKey);
      }
      open.records.push({ keyIndex, data: record.data, innerBytes });
      open.members.push(record.ref);
      open.protobufBytes += addedBytes;
      break;
    }
  }
  close();
  return out;
}

function encodeOpen<T>(open: Open<T>): KinesisRecordOut<T> {
  // A single user record goes out plain: smaller, and deaggregation passes it through unchanged.
  if (open.records.length === 1) return { partitionKey: open.partitionKey, data: open.records[0]!.data, members: open.members };
  const frame = new Uint8Array(KPL_FRAME_BYTES + open.protobufBytes);
  frame.set(KPL_MAGIC, 0);
  const writer = new ProtobufWriter(frame.subarray(KPL_MAGIC.length, KPL_MAGIC.length + open.protobufBytes));
  for (const key of open.keyBytes) writer.bytesField(FIELD_PARTITION_KEY_TABLE, key);
  for (const record of open.records) {
    writer.messageHeader(FIELD_RECORDS, record.innerBytes);
    writer.varintField(FIELD_RECORD_PARTITION_KEY_INDEX, record.keyIndex);
    writer.bytesField(FIELD_RECORD_DATA, record.data);
  }
  const protobuf = writer.finish();
  frame.set(createHash('md5').update(protobuf).digest(), KPL_MAGIC.length + open.protobufBytes);
  return { partitionKey: open.partitionKey, data: frame, members: open.members };
}
