/**
 * Reads KPL-aggregated Kinesis records back into their user records (the format of
 * https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md, which the
 * collector's Kinesis sink writes with `aggregate: true`):
 *
 *   bytes 0..3    magic F3 89 9A C2
 *   bytes 4..n    protobuf AggregatedRecord { repeated string partition_key_table = 1;
 *                   repeated string explicit_hash_key_table = 2; repeated Record records = 3; }
 *                   Record { uint64 partition_key_index = 1; uint64 explicit_hash_key_index = 2; bytes data = 3; }
 *   last 16 bytes MD5 of the protobuf bytes
 *
 * A record without the magic is a plain record and comes back as is. One with the magic whose
 * digest or protobuf does not check out is corrupt: an outcome, never a throw, so one bad record
 * cannot stop a Lambda batch (the caller dead-letters it with the reason).
 */
import { createHash } from 'node:crypto';

const MAGIC = [0xf3, 0x89, 0x9a, 0xc2] as const;
const MD5_BYTES = 16;
const WIRE_VARINT = 0;
const WIRE_64BIT = 1;
const WIRE_DELIMITED = 2;
const WIRE_32BIT = 5;

/** One user record: the KCL's `UserRecord` (sub-sequence number = its index in the aggregate). */
export interface UserRecord {
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  readonly data: Uint8Array;
  /** Index inside the aggregated record (0 for a plain record). */
  readonly subSequenceNumber: number;
  readonly aggregated: boolean;
}

export type DeaggregateOutcome =
  | { readonly status: 'success'; readonly records: readonly UserRecord[] }
  | { readonly status: 'failure'; readonly reason: 'bad-digest' | 'bad-protobuf' };

export function isAggregated(data: Uint8Array): boolean {
  return data.length >= MAGIC.length + MD5_BYTES && MAGIC.every((byte, i) => data[i] === byte);
}

/** `partitionKey` is the outer Kinesis record's: a plain record keeps it. */
export function deaggregate(data: Uint8Array, partitionKey: string): DeaggregateOutcome {
  if (!isAggregated(data)) return { status: 'success', records: [{ partitionKey, data, subSequenceNumber: 0, aggregated: false }] };
  const message = data.subarray(MAGIC.length, data.length - MD5_BYTES);
  const digest = createHash('md5').update(message).digest();
  if (!digest.equals(data.subarray(data.length - MD5_BYTES))) return { status: 'failure', reason: 'bad-digest' };
  try {
    return { status: 'success', records: decodeAggregatedRecord(message) };
  } catch {
    return { status: 'failure', reason: 'bad-protobuf' };
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeAggregatedRecord(message: Uint8Array): UserRecord[] {
  const keys: string[] = [];
  const hashKeys: string[] = [];
  const raw: { keyIndex: number; hashKeyIndex?: number; data: Uint8Array }[] = [];
  for (const field of fields(message)) {
    if (field.number === 1 && field.bytes) keys.push(utf8.decode(field.bytes));
    else if (field.number === 2 && field.bytes) hashKeys.push(utf8.decode(field.bytes));
    else if (field.number === 3 && field.bytes) raw.push(decodeRecord(field.bytes));
  }
  return raw.map((record, index) => {
    const partitionKey = keys[record.keyIndex];
    if (partitionKey === undefined) throw new Error(`partition key index ${record.keyIndex} outside the table of ${keys.length}`);
    const explicitHashKey = record.hashKeyIndex === undefined ? undefined : hashKeys[record.hashKeyIndex];
    return { partitionKey, ...(explicitHashKey === undefined ? {} : { explicitHashKey }), data: record.data, subSequenceNumber: index, aggregated: true };
  });
}

function decodeRecord(bytes: Uint8Array): { keyIndex: number; hashKeyIndex?: number; data: Uint8Array } {
  let keyIndex: number | undefined;
  let hashKeyIndex: number | undefined;
  let data: Uint8Array | undefined;
  for (const field of fields(bytes)) {
    if (field.number === 1 && field.varint !== undefined) keyIndex = field.varint;
    else if (field.number === 2 && field.varint !== undefined) hashKeyIndex = field.varint;
    else if (field.number === 3 && field.bytes) data = field.bytes;
  }
  if (keyIndex === undefined || data === undefined) throw new Error('a Record lacks partition_key_index or data');
  return { keyIndex, ...(hashKeyIndex === undefined ? {} : { hashKeyIndex }), data };
}

interface Field {
  readonly number: number;
  readonly varint?: number;
  readonly bytes?: Uint8Array;
}

/** The fields of one protobuf message; unknown wire types and overruns throw (caught above). */
function* fields(bytes: Uint8Array): Generator<Field> {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= bytes.length) throw new Error('varint runs past the end');
      const byte = bytes[at++]!;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(value)) throw new Error('varint beyond 2^53');
        return value;
      }
      scale *= 128;
    }
    throw new Error('varint longer than 10 bytes');
  };
  while (at < bytes.length) {
    const tag = varint();
    const number = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === WIRE_VARINT) yield { number, varint: varint() };
    else if (wire === WIRE_DELIMITED) {
      const length = varint();
      if (at + length > bytes.length) throw new Error('field runs past the end');
      yield { number, bytes: bytes.subarray(at, at + length) };
      at += length;
    } else if (wire === WIRE_64BIT || wire === WIRE_32BIT) {
      at += wire === WIRE_64BIT ? 8 : 4;
      if (at > bytes.length) throw new Error('field runs past the end');
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
}
