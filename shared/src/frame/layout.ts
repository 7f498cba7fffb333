/**
 * The frame header's fixed values (layout in header.ts). In a module of their own, without
 * imports, because esbuild inlines constants imported from such a module: the browser bundle
 * then carries the numbers, not variables.
 */
export const FRAME_MAGIC = 0x31425353; // "SSB1" read as little-endian u32
export const FRAME_VERSION = 1;
export const FRAME_HEADER_BYTES = 24;
export const FRAME_FLAG_SEALED = 0b0000_0001;
