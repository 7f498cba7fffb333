/**
 * The file queue's entry format, shared by data segments and acks.log:
 * [u32 LE payload length][u32 LE CRC32C of payload][payload]. A reader stops at the first entry
 * that is short or fails its CRC: a torn tail from a crash mid-write.
 */
import { crc32c } from '@shopstream/shared';

export const ENTRY_HEADER_BYTES = 8;

export function frameEntry(payload: Uint8Array): Buffer {
  const entry = Buffer.allocUnsafe(ENTRY_HEADER_BYTES + payload.length);
  entry.writeUInt32LE(payload.length, 0);
  entry.writeUInt32LE(crc32c(payload), 4);
  entry.set(payload, ENTRY_HEADER_BYTES);
  return entry;
}

/** Entries up to the first torn or damaged one. */
export function scanEntries(bytes: Buffer): { payloads: Buffer[]; validBytes: number } {
  const payloads: Buffer[] = [];
  let offset = 0;
  while (offset + ENTRY_HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32LE(offset);
    const end = offset + ENTRY_HEADER_BYTES + length;
    if (end > bytes.length) break;
    const payload = bytes.subarray(offset + ENTRY_HEADER_BYTES, end);
    if (crc32c(payload) !== bytes.readUInt32LE(offset + 4)) break;
    payloads.push(payload);
    offset = end;
  }
  return { payloads, validBytes: offset };
}
