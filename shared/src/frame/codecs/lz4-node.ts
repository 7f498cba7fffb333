import { compressSync, uncompressSync } from 'lz4-napi';
import { SharedError } from '../../errors.js';
import { CodecId } from '../header.js';
import type { Codec } from '../codec.js';

/**
 * LZ4 through lz4-napi (Node only). `compressSync` writes a block prefixed by its decoded size
 * as a little-endian u32, so the decoded size is checked against the limit before any work.
 */
export const lz4Codec: Codec = {
  id: CodecId.lz4,
  name: 'lz4',
  encode: (input) => compressSync(Buffer.from(input.buffer, input.byteOffset, input.byteLength)),
  decode: (input, maxOutputBytes) => {
    if (input.length < 4) throw new SharedError('SHARED_PAYLOAD_CORRUPT', 'lz4 payload is shorter than its 4-byte size prefix');
    const declared = new DataView(input.buffer, input.byteOffset, 4).getUint32(0, true);
    if (declared > maxOutputBytes) {
      throw new SharedError('SHARED_PAYLOAD_TOO_LARGE', `lz4 payload declares ${declared} decoded bytes, over the ${maxOutputBytes}-byte limit`);
    }
    try {
      return uncompressSync(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
    } catch (error) {
      throw new SharedError('SHARED_PAYLOAD_CORRUPT', 'lz4 payload is corrupt and cannot be decompressed', { cause: error });
    }
  },
};
