/**
 * Building and reading batch frames (header layout in header.ts). Order on the way out:
 * envelopes → encoding → codec → optional seal → CRC32C. Reading reverses it, and is split
 * in two so the collector can check a frame (`checkFrame`: header + CRC, no decoding) on the
 * acknowledgement path and decode it (`decodeFramePayload`) after the write-ahead log.
 */
import { crc32c } from '../crc32c.js';
import { SharedError } from '../errors.js';
import type { EventEnvelope } from '../event.js';
import type { Opener, Sealer } from '../crypto/sealer.js';
import type { Codec, CodecSet } from './codec.js';
import type { EncodingSet, EnvelopeEncoding } from './encoding.js';
import { assembleFrame, type Checksum } from './assemble.js';
import { FRAME_HEADER_BYTES, readFrameHeader, type FrameHeader } from './header.js';

export interface EncodeFrameOptions {
  readonly codec: Codec;
  readonly encoding: EnvelopeEncoding;
  readonly sealer?: Sealer;
}

export async function encodeFrame(envelopes: readonly EventEnvelope[], options: EncodeFrameOptions): Promise<Uint8Array> {
  const encoded = options.encoding.encode(envelopes);
  const compressed = await options.codec.encode(encoded);
  const payload = options.sealer ? await options.sealer.seal(compressed) : compressed;
  const fields = { codec: options.codec.id, encoding: options.encoding.id, keyId: options.sealer?.keyId, eventCount: envelopes.length };
  return assembleFrame(payload, fields, crc32c);
}

/** Header and CRC check only: cheap, no decompression; what the ack path needs. */
export function checkFrame(frame: Uint8Array, maxFrameBytes = Number.POSITIVE_INFINITY, checksum: Checksum = crc32c): FrameHeader {
  if (frame.length > maxFrameBytes) {
    throw new SharedError('SHARED_FRAME_TOO_LARGE', `frame of ${frame.length} bytes exceeds the ${maxFrameBytes}-byte limit`);
  }
  const header = readFrameHeader(frame);
  const actual = frame.length - FRAME_HEADER_BYTES;
  if (actual !== header.payloadBytes) {
    const what = actual < header.payloadBytes ? 'truncated' : 'has trailing bytes';
    throw new SharedError('SHARED_FRAME_LENGTH_MISMATCH', `frame ${what}: header says ${header.payloadBytes} payload bytes, ${actual} present`);
  }
  const crc = checksum(frame.subarray(FRAME_HEADER_BYTES));
  if (crc !== header.crc32c) {
    throw new SharedError('SHARED_FRAME_CRC_MISMATCH', `frame payload CRC32C is 0x${crc.toString(16)}, header says 0x${header.crc32c.toString(16)}: the frame was damaged in transit`);
  }
  return header;
}

export interface DecodeFrameOptions {
  readonly codecs: CodecSet;
  readonly encodings: EncodingSet;
  readonly opener?: Opener;
  /** Bound on the decompressed payload: stops compression bombs. */
  readonly maxDecodedBytes: number;
}

/** Decodes a frame already accepted by `checkFrame`. Returns the raw array; schema checks come later. */
export async function decodeFramePayload(frame: Uint8Array, header: FrameHeader, options: DecodeFrameOptions): Promise<unknown[]> {
  let payload = frame.subarray(FRAME_HEADER_BYTES);
  if (header.sealed) {
    if (!options.opener) throw new SharedError('SHARED_CRYPTO_UNKNOWN_KEY', `frame is sealed with key id ${header.keyId} but no decryption keys are configured`);
    payload = await options.opener.open(header.keyId, payload);
  }
  const codec = options.codecs[header.codec];
  if (!codec) throw new SharedError('SHARED_CODEC_UNAVAILABLE', `codec id ${header.codec} is not available on this side`);
  const encoding = options.encodings[header.encoding];
  if (!encoding) throw new SharedError('SHARED_CODEC_UNAVAILABLE', `payload encoding ${header.encoding} is not available on this side`);
  const decompressed = await codec.decode(payload, options.maxDecodedBytes);
  let value: unknown;
  try {
    value = encoding.decode(decompressed);
  } catch (error) {
    throw new SharedError('SHARED_PAYLOAD_CORRUPT', `frame payload is not valid ${encoding.name}`, { cause: error });
  }
  if (!Array.isArray(value)) throw new SharedError('SHARED_PAYLOAD_NOT_A_BATCH', `frame payload decodes to ${typeof value}, expected an array of events`);
  if (value.length !== header.eventCount) {
    throw new SharedError('SHARED_PAYLOAD_CORRUPT', `frame header claims ${header.eventCount} events, payload holds ${value.length}`);
  }
  return value;
}

/** Convenience for tests and tools: check, then decode. */
export async function decodeFrame(frame: Uint8Array, options: DecodeFrameOptions): Promise<unknown[]> {
  return decodeFramePayload(frame, checkFrame(frame), options);
}
