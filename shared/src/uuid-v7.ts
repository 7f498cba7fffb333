/**
 * UUIDv7 (RFC 9562 §5.7): 48-bit Unix milliseconds, then random bits. Time-ordered ids keep
 * B-tree and Redis keyspaces local and let the lake sort by id. Within one millisecond a
 * 12-bit counter in `rand_a` keeps ids from one generator monotonic (RFC 9562 §6.2 method 1).
 */
export type RandomFill = (bytes: Uint8Array) => Uint8Array;

const defaultRandom: RandomFill = (bytes) => globalThis.crypto.getRandomValues(bytes);
const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export interface UuidV7Generator {
  (): string;
}

/** Returns a generator; pass a clock and a random source in tests. */
export function createUuidV7(now: () => number = Date.now, random: RandomFill = defaultRandom): UuidV7Generator {
  let lastMs = -1;
  let counter = 0;
  const bytes = new Uint8Array(16);
  return () => {
    let ms = now();
    random(bytes);
    if (ms <= lastMs) {
      ms = lastMs;
      counter += 1;
      if (counter > 0xfff) {
        // Counter exhausted within one ms: borrow the next millisecond rather than repeat.
        ms = lastMs + 1;
        counter = 0;
      }
    } else {
      counter = bytes[6]! & 0x07; // random start, leaving room to count up
    }
    lastMs = ms;
    bytes[0] = Math.floor(ms / 2 ** 40) & 0xff;
    bytes[1] = Math.floor(ms / 2 ** 32) & 0xff;
    bytes[2] = (ms >>> 24) & 0xff;
    bytes[3] = (ms >>> 16) & 0xff;
    bytes[4] = (ms >>> 8) & 0xff;
    bytes[5] = ms & 0xff;
    bytes[6] = 0x70 | ((counter >>> 8) & 0x0f);
    bytes[7] = counter & 0xff;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    let out = '';
    for (let i = 0; i < 16; i++) {
      out += hex[bytes[i]!];
      if (i === 3 || i === 5 || i === 7 || i === 9) out += '-';
    }
    return out;
  };
}

export const uuidV7: UuidV7Generator = createUuidV7();

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export function isUuidV7(value: unknown): value is string {
  return typeof value === 'string' && UUID_V7.test(value);
}
