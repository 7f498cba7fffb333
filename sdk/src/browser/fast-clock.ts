import { createUuidV7, type UuidV7Generator } from '@shopstream/shared';

/**
 * `track()` hot-path helpers. In Chromium `crypto.getRandomValues` costs ~24 µs and
 * `Date#toISOString` ~20 µs per call (measured by bench/size.ts), more than the rest of
 * `track()` together, so randomness is drawn 4 KiB at a time and the ISO text of the current
 * second is reused.
 */
const POOL_BYTES = 4_096;

export function pooledUuidV7(now: () => number): UuidV7Generator {
  const pool = new Uint8Array(POOL_BYTES);
  let used = POOL_BYTES;
  return createUuidV7(now, (bytes) => {
    if (used + bytes.length > POOL_BYTES) {
      crypto.getRandomValues(pool);
      used = 0;
    }
    bytes.set(pool.subarray(used, (used += bytes.length)));
    return bytes;
  });
}

export function isoTimestamps(): (ms: number) => string {
  let second = Number.NaN;
  let prefix = '';
  return (ms) => {
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      second = s;
      prefix = new Date(s * 1000).toISOString().slice(0, 20); // "2026-11-23T09:45:12."
    }
    return `${prefix}${String(ms - s * 1000).padStart(3, '0')}Z`;
  };
}
