/**
 * The last step of building a frame: header + payload, the payload already encoded, compressed
 * and sealed. The checksum function is passed in so the browser can use the one-table
 * `crc32cSmall` and ship neither the slicing-by-8 tables nor the codec and encoding objects;
 * `encodeFrame` passes `crc32c`. Both give the same bytes.
 */
import { FRAME_HEADER_BYTES, writeFrameWords, type CodecId, type PayloadEncoding } from './header.js';

/** A CRC32C implementation: `crc32c`, `crc32cSmall` (browser) or `crc32cNative` (`@shopstream/shared/node`). */
export type Checksum = (bytes: Uint8Array) => number;

export interface FrameFields {
  readonly codec: CodecId;
  readonly encoding: PayloadEncoding;
  /** Key id of the sealing key; present exactly when the payload is sealed. */
  readonly keyId?: number;
  readonly eventCount: number;
}

export function assembleFrame(payload: Uint8Array, fields: FrameFields, checksum: Checksum): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  frame.set(payload, FRAME_HEADER_BYTES);
  writeFrameWords(frame, fields.codec, fields.encoding, fields.keyId !== undefined, fields.keyId ?? 0, fields.eventCount, payload.length, checksum(payload));
  return frame;
}
