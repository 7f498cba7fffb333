import { describe, expect, it } from 'vitest';
import { createPooledRandom } from '../pooled-random.js';

describe('pooled CSPRNG bytes', () => {
  it('hands out fresh bytes across pool refills, and fills requests larger than the pool directly', () => {
    const random = createPooledRandom(64);
    const draws = Array.from({ length: 20 }, () => Buffer.from(random(new Uint8Array(16))).toString('hex')); // 5 pools
    expect(new Set(draws).size).toBe(20);
    const big = random(new Uint8Array(100));
    expect(big.length).toBe(100);
    expect(big.some((byte) => byte !== 0)).toBe(true);
  });
});
