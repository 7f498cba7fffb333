import { isUuidV7 } from '@shopstream/shared';
import { describe, expect, it } from 'vitest';
import { isoTimestamps, pooledUuidV7 } from '../fast-clock.js';

describe('track() hot-path helpers', () => {
  it('formats the same ISO-8601 text as Date#toISOString, across seconds and milliseconds', () => {
    const iso = isoTimestamps();
    for (const ms of [0, 7, 999, 1_000, 1_763_890_000_123, 1_763_890_000_999, 1_763_890_001_000, 1_763_890_000_050]) {
      expect(iso(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('makes distinct, time-ordered UUIDv7 ids from the pooled random bytes', () => {
    let ms = 1_763_890_000_000;
    const uuid = pooledUuidV7(() => ms);
    const ids: string[] = [];
    for (let i = 0; i < 1_000; i++) {
      if (i % 100 === 0) ms += 1;
      ids.push(uuid());
    }
    expect(ids.every(isUuidV7)).toBe(true);
    expect(new Set(ids).size).toBe(1_000);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]!.slice(0, 13).replace('-', '')).toBe((1_763_890_000_001).toString(16).padStart(12, '0'));
  });

  it('borrows the next millisecond when 4,096 ids share one, staying ordered and distinct', () => {
    const uuid = pooledUuidV7(() => 1_763_890_000_000);
    const ids = Array.from({ length: 10_000 }, () => uuid());
    expect(ids.every(isUuidV7)).toBe(true);
    expect(new Set(ids).size).toBe(10_000);
    expect([...ids].sort()).toEqual(ids);
  });
});
