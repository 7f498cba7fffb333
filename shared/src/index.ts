// The platform-neutral wire contract: safe for browser bundles (no Node built-ins, no native code).
export { SharedError, isSharedError, type SharedErrorCode } from './errors.js';
export type { EventEnvelope, EventKind, SchemaRef } from './event.js';
export { createUuidV7, uuidV7, isUuidV7, type UuidV7Generator, type RandomFill } from './uuid-v7.js';
export { crc32c } from './crc32c.js';
export { crc32cSmall } from './crc32c-small.js';
export {
  FRAME_MAGIC,
  FRAME_VERSION,
  FRAME_HEADER_BYTES,
  CodecId,
  PayloadEncoding,
  readFrameHeader,
  writeFrameHeader,
  type FrameHeader,
} from './frame/header.js';
export type { Codec, CodecSet } from './frame/codec.js';
export type { EnvelopeEncoding, EncodingSet } from './frame/encoding.js';
export { identityCodec } from './frame/codecs/identity.js';
export { gzipStreamCodec } from './frame/codecs/gzip-stream.js';
export { jsonEncoding } from './frame/encodings/json.js';
export { msgpackEncoding } from './frame/encodings/msgpack.js';
export { assembleFrame, type Checksum, type FrameFields } from './frame/assemble.js';
export { encodeFrame, checkFrame, decodeFramePayload, decodeFrame, type EncodeFrameOptions, type DecodeFrameOptions } from './frame/frame.js';
export type { Sealer, Opener } from './crypto/sealer.js';
export {
  createSealer,
  createOpener,
  SEAL_SALT,
  SEAL_INFO_LABEL,
  SEAL_OVERHEAD_BYTES,
  type SealerOptions,
  type OpenerOptions,
  type OpenerKey,
} from './crypto/seal-webcrypto.js';
export { generateSealingKeyPair, sealingKeyPairJson, toBase64url, fromBase64url, type SealingKeyPair } from './crypto/keygen.js';
export { parseSemver, compareSemver, type Semver } from './schema/semver.js';
export { resolveSchemaVersion } from './schema/resolve-version.js';
export { collectPiiRules, isPiiAction, type PiiAction, type PiiRule } from './schema/pii-rules.js';
export {
  schemaSlug,
  schemaFileName,
  schemaEventAnnotation,
  type CatalogEntry,
  type CatalogIndex,
  type SchemaEventAnnotation,
} from './schema/catalog-index.js';
export type { Outcome } from './outcome.js';
export { fullJitterDelayMs, retryDelayMs, type RetryPolicy } from './backoff.js';
export { firstGreedyRun, greedySplit } from './greedy-split.js';
export { partitionSlug, sourcePartitionValue, hivePartitionPath, type LakeZone } from './hive-path.js';
