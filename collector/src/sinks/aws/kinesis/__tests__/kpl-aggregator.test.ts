import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { aggregateRecords, KPL_MAGIC, type UserRecord } from '../kpl-aggregator.js';

// aws-kinesis-agg is AWS's own implementation (protobufjs-based): an independent check of our encoder.
const require = createRequire(import.meta.url);
const agg = require('aws-kinesis-agg') as {
  deaggregateSync(record: { data: string; partitionKey: string; sequenceNumber: string }, checksums: boolean, done: (err: Error | null, users?: { partitionKey: string; data: string }[]) => void): void;
};

function deaggregate(partitionKey: string, data: Uint8Array): { partitionKey: string; data: string }[] {
  let result: { partitionKey: string; data: string }[] = [];
  agg.deaggregateSync({ data: Buffer.from(data).toString('base64'), partitionKey, sequenceNumber: '1' }, true, (err, users) => {
    if (err) throw err;
    result = (users ?? []).map((user) => ({ partitionKey: user.partitionKey, data: Buffer.from(user.data, 'base64').toString('utf8') }));
  });
  return result;
}

const users = (count: number, bytes: number, keys = count): UserRecord<number>[] =>
  Array.from({ length: count }, (_, i) => ({ partitionKey: `key-${i % keys}`, data: new TextEncoder().encode(`${i}:`.padEnd(bytes, 'x')), ref: i }));

describe('aggregateRecords', () => {
  it('writes KPL records that aws-kinesis-agg deaggregates with checksums, every user record once and in order', () => {
    const input = users(5_000, 400, 700);
    const out = aggregateRecords(input, 1024 * 1024);
    expect(out.length).toBeGreaterThan(1);
    const seen = out.flatMap((record) => {
      expect(Array.from(record.data.subarray(0, 4))).toEqual(Array.from(KPL_MAGIC));
      return deaggregate(record.partitionKey, record.data);
    });
    expect(seen).toHaveLength(input.length);
    seen.forEach((user, i) => {
      expect(user.partitionKey).toBe(`key-${i % 700}`);
      expect(user.data).toBe(new TextDecoder().decode(input[i]!.data));
    });
    expect(out.flatMap((record) => record.members)).toEqual(input.map((user) => user.ref));
  });

  it('keeps each Kinesis record within the limit, counting its partition key, and fills it closely', () => {
    const limit = 64 * 1024;
    const out = aggregateRecords(users(2_000, 300), limit);
    for (const record of out) expect(record.data.length + record.partitionKey.length).toBeLessThanOrEqual(limit);
    // All but the last are at least 99% full: the size accounting is exact, not a loose guess.
    for (const record of out.slice(0, -1)) expect(record.data.length + record.partitionKey.length).toBeGreaterThan(limit * 0.99);
  });

  it('sends a lone record plain, which deaggregation passes through', () => {
    const [only] = aggregateRecords(users(1, 50), 1024 * 1024);
    expect(only!.data[0]).not.toBe(KPL_MAGIC[0]);
    expect(deaggregate(only!.partitionKey, only!.data)).toEqual([{ partitionKey: 'key-0', data: '0:'.padEnd(50, 'x') }]);
  });

  it('puts a record too big to share alone in its own record, and rejects one over the limit', () => {
    const big = users(3, 900);
    const out = aggregateRecords(big, 1_000);
    expect(out.map((record) => record.members)).toEqual([[0], [1], [2]]);
    expect(() => aggregateRecords(users(1, 2_000), 1_000)).toThrow(/cannot fit/);
  });

  it('encodes multi-byte varints (records over 127 bytes, key indexes over 127)', () => {
    const input = users(300, 20_000 + 1, 300);
    const out = aggregateRecords(input, 1024 * 1024);
    expect(out.flatMap((record) => deaggregate(record.partitionKey, record.data)).map((user) => user.data.length)).toEqual(input.map(() => 20_001));
  });
});
