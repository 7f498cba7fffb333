// Node-only additions to the wire contract: native lz4, zlib gzip and CRC32C, pooled CSPRNG bytes for ids; and the
// durable-file helpers the SDK's disk queue and the collector's WAL share (directory fsync, atomic replace, pid lock).
export { lz4Codec } from './frame/codecs/lz4-node.js';
export { gzipZlibCodec } from './frame/codecs/gzip-zlib.js';
export { createPooledRandom } from './pooled-random.js';
export { crc32cNative } from './crc32c-native.js';
export { syncDir } from './fs/sync-dir.js';
export { replaceFileAtomically, type ReplaceFs } from './fs/replace-file-atomically.js';
export { lockOwnerText, lockHolder, pidIsAlive } from './fs/pid-lock.js';
// Kinesis consumers (a Lambda handler): KPL de-aggregation and an id window that drops the duplicates of at-least-once delivery.
export { deaggregate, isAggregated, type UserRecord, type DeaggregateOutcome } from './kinesis/deaggregate.js';
export { recentIds, type Deduper, type RecentIdsOptions } from './kinesis/recent-ids.js';
export { createKinesisConsumer, type KinesisStreamEvent, type KinesisConsumerOptions, type ConsumeResult, type ConsumedEvent, type RejectedRecord, type RejectCode } from './kinesis/kinesis-consumer.js';
