/**
 * `track()` hot-path helpers. In Chromium `crypto.getRandomValues` costs ~24 µs and
 * `Date#toISOString` ~20 µs per call (measured by bench/size.ts), more than the rest of
 * `track()` together, so randomness is drawn 4 KiB at a time and the ISO text of the current
 * second is reused.
 */
const POOL_BYTES = 4_096;
const HEX = Array.from({ length: 256 }, (_, i) => (i + 256).toString(16).slice(1));

/**
 * UUIDv7 (RFC 9562 §5.7) as shared's `createUuidV7` makes them (48-bit ms, a 12-bit counter in
 * `rand_a` starting at random 0..7 each new ms so ids of one tab are monotonic, 62 random bits),
 * written for the browser bundle: the time part is formatted from the number itself, the
 * random part from a pooled CSPRNG buffer.
 */
export function pooledUuidV7(now: () => number): () => string {
  const pool = new Uint8Array(POOL_BYTES);
  let used = POOL_BYTES;
  let lastMs = -1;
  let counter = 0;
  return () => {
    if (used > POOL_BYTES - 9) {
      crypto.getRandomValues(pool);
      used = 0;
    }
    let ms = now();
    if (ms > lastMs) counter = pool[used + 8]! & 7;
    else if (++counter > 0xfff) {
      ms = lastMs + 1; // counter exhausted within one ms: borrow the next one rather than repeat
      counter = 0;
    } else ms = lastMs;
    lastMs = ms;
    const t = ms.toString(16).padStart(12, '0');
    let id = `${t.slice(0, 8)}-${t.slice(8)}-${(0x7000 | counter).toString(16)}-`;
    // 62 random bits after the variant bits 10: bytes 0..7 of this draw.
    for (let i = 0; i < 8; i++) id += (i === 2 ? '-' : '') + HEX[i ? pool[used + i]! : 0x80 | (pool[used]! & 0x3f)];
    used += 9;
    return id;
  };
}

export function isoTimestamps(): (ms: number) => string {
  let second = NaN;
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
