import { SharedError } from '../../errors.js';
import { CodecId } from '../header.js';
import type { Codec } from '../codec.js';

/** No compression: for tiny batches and for tests. */
export const identityCodec: Codec = {
  id: CodecId.identity,
  name: 'identity',
  encode: (input) => input,
  decode: (input, maxOutputBytes) => {
    if (input.length > maxOutputBytes) {
      throw new SharedError('SHARED_PAYLOAD_TOO_LARGE', `payload of ${input.length} bytes exceeds the ${maxOutputBytes}-byte decoded limit`);
    }
    return input;
  },
};
