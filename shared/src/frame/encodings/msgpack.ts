import { Packr } from 'msgpackr';
import { PayloadEncoding } from '../header.js';
import type { EnvelopeEncoding } from '../encoding.js';

// Plain msgpack (no msgpackr records extension) so any msgpack reader can decode a frame.
// 64-bit integers within ±2^53 decode as numbers (other msgpack writers use uint64 for small
// values too); larger ones stay BigInt, which the collector refuses per event with a reason.
// (msgpackr implements 'auto' but its type declarations list only 'number' | 'bigint' | 'string'.)
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'auto' as 'bigint' });

export const msgpackEncoding: EnvelopeEncoding = {
  id: PayloadEncoding.msgpack,
  name: 'msgpack',
  encode: (envelopes) => packr.pack(envelopes),
  decode: (bytes) => packr.unpack(bytes),
};
