import { crc32cNative } from '@shopstream/shared/node';

/** README "Record format": magic u32, payload length u32, CRC32C(payload) u32, little-endian. */
export const RECORD_HEADER_BYTES = 12;
/** "WAL1" read as a little-endian u32. */
export const RECORD_MAGIC = 0x314c4157;
export const RECORD_MAGIC_BYTES: Buffer = (() => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(RECORD_MAGIC, 0);
  return bytes;
})();

/** Header for `payload`. */
export function encodeRecordHeader(payload: Uint8Array): Buffer {
  const header = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  header.writeUInt32LE(RECORD_MAGIC, 0);
  header.writeUInt32LE(payload.length, 4);
  header.writeUInt32LE(crc32cNative(payload), 8);
  return header;
}

export type RecordCheck =
  | { readonly ok: true; readonly payloadBytes: number }
  | { readonly ok: false; readonly reason: 'bad-magic' | 'bad-length' | 'bad-crc' | 'truncated' };

/**
 * Checks the record whose header starts at `bytes[0]`. `bytesToEnd` is how many bytes the
 * segment holds from there (a record running past it is `truncated`); `bytes` may be shorter
 * than the record, in which case only the header is checked and `ok` means "plausible".
 */
export function checkHeader(bytes: Uint8Array, bytesToEnd: number, recordBytesMax: number): RecordCheck {
  if (bytesToEnd < RECORD_HEADER_BYTES || bytes.length < RECORD_HEADER_BYTES) return { ok: false, reason: 'truncated' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, RECORD_HEADER_BYTES);
  if (view.getUint32(0, true) !== RECORD_MAGIC) return { ok: false, reason: 'bad-magic' };
  const payloadBytes = view.getUint32(4, true);
  if (payloadBytes > recordBytesMax) return { ok: false, reason: 'bad-length' };
  if (RECORD_HEADER_BYTES + payloadBytes > bytesToEnd) return { ok: false, reason: 'truncated' };
  return { ok: true, payloadBytes };
}

/** True when the CRC in the header at `record[0]` matches the payload that follows it. */
export function crcMatches(record: Uint8Array, payloadBytes: number): boolean {
  const view = new DataView(record.buffer, record.byteOffset, RECORD_HEADER_BYTES);
  const payload = record.subarray(RECORD_HEADER_BYTES, RECORD_HEADER_BYTES + payloadBytes);
  return payload.length === payloadBytes && crc32cNative(payload) === view.getUint32(8, true);
}
