import { randomFillSync } from 'node:crypto';
import type { RandomFill } from './uuid-v7.js';

/**
 * Random bytes for UUIDv7 (Node) from a 4 KiB pool refilled by one `randomFillSync` call: a
 * syscall per id (16 bytes) was the largest single cost of the SDK's `track()` and ~4 % of the
 * collector's request path (request ids). Still a CSPRNG, just batched.
 */
export function createPooledRandom(poolBytes = 4096): RandomFill {
  const pool = Buffer.allocUnsafe(poolBytes);
  let offset = poolBytes;
  return (bytes) => {
    if (bytes.length > poolBytes) return randomFillSync(bytes);
    if (offset + bytes.length > poolBytes) {
      randomFillSync(pool);
      offset = 0;
    }
    bytes.set(pool.subarray(offset, offset + bytes.length));
    offset += bytes.length;
    return bytes;
  };
}
