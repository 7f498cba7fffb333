import { describe, expect, it } from 'vitest';
import { crc32c } from '../crc32c.js';
import { createUuidV7, isUuidV7 } from '../uuid-v7.js';

describe('crc32c', () => {
  it('matches the RFC 3720 check value and continues across buffers', () => {
    const bytes = new TextEncoder().encode('123456789');
    expect(crc32c(bytes)).toBe(0xe3069283);
    expect(crc32c(bytes.subarray(4), crc32c(bytes.subarray(0, 4)))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
  });
});

describe('uuidV7', () => {
  it('is well-formed, unique and ordered within one millisecond', () => {
    const next = createUuidV7(() => 1_700_000_000_000);
    const ids = Array.from({ length: 5000 }, () => next());
    expect(ids.every(isUuidV7)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]!.slice(0, 13)).toBe('018bcfe5-6800');
  });
});
