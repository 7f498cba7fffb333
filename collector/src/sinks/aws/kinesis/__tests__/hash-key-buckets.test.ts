import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bucketHashKey, bucketOf } from '../hash-key-buckets.js';

describe('hash-key buckets', () => {
  it('puts a key in the bucket its MD5 falls in, and the bucket midpoint lies inside that range', () => {
    const buckets = 64;
    const width = 2n ** 128n / BigInt(buckets);
    for (let i = 0; i < 500; i++) {
      const key = `sess-${i}`;
      const md5 = BigInt(`0x${createHash('md5').update(key).digest('hex')}`);
      const bucket = bucketOf(key, buckets);
      expect(md5 / width).toBe(BigInt(bucket));
      const mid = BigInt(bucketHashKey(bucket, buckets));
      expect(mid >= BigInt(bucket) * width && mid < BigInt(bucket + 1) * width).toBe(true);
    }
    expect(bucketHashKey(0, 1)).toBe((2n ** 127n).toString());
    expect(BigInt(bucketHashKey(63, 64))).toBeLessThan(2n ** 128n);
  });

  it('spreads keys over every bucket', () => {
    const seen = new Set(Array.from({ length: 5_000 }, (_, i) => bucketOf(`user-${i}`, 64)));
    expect(seen.size).toBe(64);
  });
});
