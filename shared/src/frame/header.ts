/**
 * The batch frame header: 24 bytes, little-endian, checked before anything is decoded so a
 * damaged or hostile frame is refused cheaply on the acknowledgement path.
 *
 *   offset size field
 *   0      4    magic "SSB1" (0x53 0x53 0x42 0x31)
 *   4      1    format version (1)
 *   5      1    codec id: 0 identity, 1 lz4 (size-prefixed block), 2 gzip
 *   6      1    payload encoding: 0 msgpack array of envelopes, 1 JSON array of envelopes
 *   7      1    flags: bit 0 = payload sealed (see crypto/), others must be 0
 *   8      4    key id of the sealing key (0 when not sealed)
 *   12     4    event count the sender claims (checked against the decoded payload)
 *   16     4    payload length in bytes (exactly the bytes after the header)
 *   20     4    CRC32C of the payload bytes as sent (after compression and sealing)
 */
import { SharedError } from '../errors.js';
import { FRAME_FLAG_SEALED, FRAME_HEADER_BYTES, FRAME_MAGIC, FRAME_VERSION } from './layout.js';

export { FRAME_FLAG_SEALED, FRAME_HEADER_BYTES, FRAME_MAGIC, FRAME_VERSION };

// Enums, not objects: a bundler (esbuild, tsup) inlines `CodecId.gzip` as `2` and drops the
// object, so the browser bundle carries neither the object nor its names.
export enum CodecId {
  identity = 0,
  lz4 = 1,
  gzip = 2,
}
export enum PayloadEncoding {
  msgpack = 0,
  json = 1,
}

export interface FrameHeader {
  readonly version: number;
  readonly codec: CodecId;
  readonly encoding: PayloadEncoding;
  readonly sealed: boolean;
  readonly keyId: number;
  readonly eventCount: number;
  readonly payloadBytes: number;
  readonly crc32c: number;
}

export function writeFrameHeader(header: Omit<FrameHeader, 'version'>, out: Uint8Array): void {
  writeFrameWords(out, header.codec, header.encoding, header.sealed, header.keyId, header.eventCount, header.payloadBytes, header.crc32c);
}

/**
 * `writeFrameHeader` with the fields as arguments: what `assembleFrame` calls, so the browser
 * bundle carries no header object and none of its property names.
 */
export function writeFrameWords(
  out: Uint8Array,
  codec: CodecId,
  encoding: PayloadEncoding,
  sealed: boolean,
  keyId: number,
  eventCount: number,
  payloadBytes: number,
  crc32c: number,
): void {
  const view = new DataView(out.buffer, out.byteOffset, FRAME_HEADER_BYTES);
  // Bytes 4..7 (version, codec, encoding, flags) as one little-endian u32: fewer calls, smaller browser bundle.
  const byte4to7 = FRAME_VERSION | (codec << 8) | (encoding << 16) | ((sealed ? FRAME_FLAG_SEALED : 0) << 24);
  [FRAME_MAGIC, byte4to7, keyId, eventCount, payloadBytes, crc32c].forEach((value, i) => view.setUint32(i * 4, value, true));
}

// Pure: a bundle that only writes frames (the browser SDK) drops them.
const KNOWN_CODECS = /* @__PURE__ */ new Set<number>([CodecId.identity, CodecId.lz4, CodecId.gzip]);
const KNOWN_ENCODINGS = /* @__PURE__ */ new Set<number>([PayloadEncoding.msgpack, PayloadEncoding.json]);

/** Reads and range-checks the header; does not look at the payload (see `checkFrame`). */
export function readFrameHeader(frame: Uint8Array): FrameHeader {
  if (frame.length < FRAME_HEADER_BYTES) {
    throw new SharedError('SHARED_FRAME_TRUNCATED', `frame is ${frame.length} bytes, shorter than its ${FRAME_HEADER_BYTES}-byte header`);
  }
  const view = new DataView(frame.buffer, frame.byteOffset, FRAME_HEADER_BYTES);
  if (view.getUint32(0, true) !== FRAME_MAGIC) {
    throw new SharedError('SHARED_FRAME_BAD_MAGIC', 'frame does not start with the magic bytes "SSB1"; is this a Shopstream batch frame?');
  }
  const version = view.getUint8(4);
  if (version !== FRAME_VERSION) {
    throw new SharedError('SHARED_FRAME_BAD_VERSION', `frame format version ${version} is not supported; this side speaks version ${FRAME_VERSION}`);
  }
  const codec = view.getUint8(5);
  if (!KNOWN_CODECS.has(codec)) throw new SharedError('SHARED_FRAME_UNKNOWN_CODEC', `frame codec id ${codec} is unknown (0 identity, 1 lz4, 2 gzip)`);
  const encoding = view.getUint8(6);
  if (!KNOWN_ENCODINGS.has(encoding)) throw new SharedError('SHARED_FRAME_UNKNOWN_FORMAT', `frame payload encoding ${encoding} is unknown (0 msgpack, 1 json)`);
  const flags = view.getUint8(7);
  if ((flags & ~FRAME_FLAG_SEALED) !== 0) throw new SharedError('SHARED_FRAME_BAD_VERSION', `frame flags 0x${flags.toString(16)} use bits this version does not define`);
  return {
    version,
    codec: codec as CodecId,
    encoding: encoding as PayloadEncoding,
    sealed: (flags & FRAME_FLAG_SEALED) !== 0,
    keyId: view.getUint32(8, true),
    eventCount: view.getUint32(12, true),
    payloadBytes: view.getUint32(16, true),
    crc32c: view.getUint32(20, true),
  };
}
