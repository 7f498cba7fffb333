import { gunzipSync, gzipSync } from 'node:zlib';
import { SharedError } from '../../errors.js';
import { CodecId } from '../header.js';
import type { Codec } from '../codec.js';

/** gzip through node:zlib; `maxOutputLength` makes zlib itself stop a compression bomb early. */
export const gzipZlibCodec: Codec = {
  id: CodecId.gzip,
  name: 'gzip',
  encode: (input) => gzipSync(input, { level: 6 }),
  decode: (input, maxOutputBytes) => {
    try {
      return gunzipSync(input, { maxOutputLength: Math.min(maxOutputBytes, 2 ** 31 - 1) });
    } catch (error) {
      if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new SharedError('SHARED_PAYLOAD_TOO_LARGE', `decompressed payload passes the ${maxOutputBytes}-byte limit`, { cause: error });
      }
      throw new SharedError('SHARED_PAYLOAD_CORRUPT', 'gzip payload is corrupt and cannot be decompressed', { cause: error });
    }
  },
};
