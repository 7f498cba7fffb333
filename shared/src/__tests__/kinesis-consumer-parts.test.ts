import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deaggregate } from '../kinesis/deaggregate.js';
import { recentIds } from '../kinesis/recent-ids.js';

const MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);
const framed = (message: Buffer) => Buffer.concat([MAGIC, message, createHash('md5').update(message).digest()]);

describe('recentIds', () => {
  it('forgets ids past the count limit (oldest first) and past the window', async () => {
    let now = 0;
    const window = recentIds({ idsMax: 3, windowMs: 1_000, nowMs: () => now });
    expect(await window.firstSeen(['a', 'b', 'a', 'c'])).toEqual([true, true, false, true]);
    expect(await window.firstSeen(['d'])).toEqual([true]); // 'a' is evicted: 4 ids > 3
    expect(await window.firstSeen(['a', 'c'])).toEqual([true, false]);
    expect(window.size).toBeLessThanOrEqual(3);
    now = 1_500;
    expect(await window.firstSeen(['c', 'd'])).toEqual([true, true]); // both older than the window
  });
});

describe('deaggregate', () => {
  it('passes a plain record through and reports a bad digest or bad protobuf as outcomes', () => {
    const plain = Buffer.from('{"id":"x"}');
    expect(deaggregate(plain, 'k')).toEqual({ status: 'success', records: [{ partitionKey: 'k', data: plain, subSequenceNumber: 0, aggregated: false }] });
    // field 3 (Record) claims 100 bytes but only 2 follow
    expect(deaggregate(framed(Buffer.from([0x1a, 100, 1, 2])), 'k')).toEqual({ status: 'failure', reason: 'bad-protobuf' });
    // a Record pointing at a partition key that is not in the table
    expect(deaggregate(framed(Buffer.from([0x1a, 5, 0x08, 0x03, 0x1a, 0x01, 0x41])), 'k')).toEqual({ status: 'failure', reason: 'bad-protobuf' });
    const tampered = framed(Buffer.from([0x0a, 0x01, 0x6b, 0x1a, 5, 0x08, 0x00, 0x1a, 0x01, 0x41]));
    expect(deaggregate(tampered, 'k')).toMatchObject({ status: 'success', records: [{ partitionKey: 'k', data: Buffer.from('A'), aggregated: true }] });
    tampered[tampered.length - 1]! ^= 1;
    expect(deaggregate(tampered, 'k')).toEqual({ status: 'failure', reason: 'bad-digest' });
  });
});
