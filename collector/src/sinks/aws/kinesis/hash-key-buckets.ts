/**
 * Shard affinity for aggregated records keyed by session or user. Kinesis routes a record by
 * MD5(partition key) read as a 128-bit integer, or by `ExplicitHashKey` when one is given; an
 * aggregated record has one route for all the events inside it. So that one session's (or
 * user's) events always reach the same shard, and stay in order there, we cut the hash space
 * into `buckets` equal ranges, aggregate each bucket's events apart, and send each aggregate
 * with `ExplicitHashKey` = its bucket's midpoint: a key always maps to the same bucket, the
 * bucket to one fixed hash, the hash to one shard (until the stream is resharded).
 */
import { createHash } from 'node:crypto';

/** 64 buckets: a write of ~9,000 events becomes ≤ 64 aggregated records, still one PutRecords call. */
export const HASH_BUCKETS_DEFAULT = 64;

const HASH_SPACE = 2n ** 128n;
/** Bits of the MD5 read to choose a bucket: plenty for any bucket count a stream needs. */
const PREFIX_BYTES = 6;
const PREFIX_SPACE = 2 ** (PREFIX_BYTES * 8);

/** The bucket (0 ≤ b < buckets) that MD5(partitionKey) falls in. */
export function bucketOf(partitionKey: string, buckets: number): number {
  const prefix = createHash('md5').update(partitionKey, 'utf8').digest().readUIntBE(0, PREFIX_BYTES);
  return Math.floor((prefix / PREFIX_SPACE) * buckets);
}

/** The bucket's midpoint in the 128-bit hash space, as the decimal string Kinesis expects. */
export function bucketHashKey(bucket: number, buckets: number): string {
  return ((HASH_SPACE * BigInt(2 * bucket + 1)) / BigInt(2 * buckets)).toString();
}
