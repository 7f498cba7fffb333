import { describe, expect, it } from 'vitest';
import { crc32c } from '../crc32c.js';
import { crc32cNative } from '../crc32c-native.js';
import { createUuidV7, isUuidV7 } from '../uuid-v7.js';

describe('crc32c', () => {
  it('matches the RFC 3720 check value and continues across buffers', () => {
    const bytes = new TextEncoder().encode('123456789');
    expect(crc32c(bytes)).toBe(0xe3069283);
    expect(crc32c(bytes.subarray(4), crc32c(bytes.subarray(0, 4)))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
  });

  it('matches a bit-at-a-time reference at every length around the 16-byte slices, at any offset', () => {
    const bitwise = (bytes: Uint8Array, crc = 0): number => {
      let c = ~crc >>> 0;
      for (const byte of bytes) {
        c ^= byte;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return ~c >>> 0;
    };
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
    for (let length = 0; length <= 70; length++) {
      const bytes = data.subarray(3, 3 + length);
      expect(crc32c(bytes)).toBe(bitwise(bytes));
      expect(crc32c(bytes, 0x1234abcd)).toBe(bitwise(bytes, 0x1234abcd));
    }
    expect(crc32c(data)).toBe(bitwise(data));
  });

  it('crc32cNative (CPU instruction) gives the same checksum at every length and offset, and continues', () => {
    const data = Uint8Array.from({ length: 9000 }, (_, i) => (i * 131 + 7) & 0xff);
    expect(crc32cNative(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    for (const length of [0, 1, 7, 15, 16, 17, 63, 64, 65, 1000, 6200, 8991]) {
      const bytes = data.subarray(9, 9 + length);
      expect(crc32cNative(bytes)).toBe(crc32c(bytes));
      expect(crc32cNative(bytes, 0x1234abcd)).toBe(crc32c(bytes, 0x1234abcd));
    }
    expect(crc32cNative(data.subarray(500), crc32cNative(data.subarray(0, 500)))).toBe(crc32c(data));
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
