import { crc32c as crc32cInstruction } from '@node-rs/crc32';

/**
 * CRC32C through @node-rs/crc32 (the CPU's CRC32 instruction; Node only): the same checksum as
 * `crc32c`, about 6× faster on a 6 KB frame (2.3 µs against 15 µs here). The collector checks a
 * frame's CRC and writes the WAL record's on every acknowledged request and re-checks every record
 * on replay, so both hot paths use this one.
 */
export function crc32cNative(bytes: Uint8Array, crc = 0): number {
  return crc32cInstruction(bytes, crc);
}
