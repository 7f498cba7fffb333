import { describe, expect, it } from 'vitest';
import { crc32c } from '../crc32c.js';
import { crc32cSmall } from '../crc32c-small.js';

describe('crc32cSmall', () => {
  it('matches the RFC 3720 check values and the slicing-by-8 crc32c at every length and offset', () => {
    expect(crc32cSmall(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32cSmall(new Uint8Array(32))).toBe(0x8a9136aa);
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
    for (let length = 0; length <= 70; length++) expect(crc32cSmall(data.subarray(3, 3 + length))).toBe(crc32c(data.subarray(3, 3 + length)));
    expect(crc32cSmall(data)).toBe(crc32c(data));
  });
});
