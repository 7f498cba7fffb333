import { Packr } from 'msgpackr';
import { PayloadEncoding } from '../header.js';
import type { EnvelopeEncoding } from '../encoding.js';

// Plain msgpack (no msgpackr records extension) so any msgpack reader can decode a frame.
const packr = new Packr({ useRecords: false, moreTypes: false });

export const msgpackEncoding: EnvelopeEncoding = {
  id: PayloadEncoding.msgpack,
  name: 'msgpack',
  encode: (envelopes) => packr.pack(envelopes),
  decode: (bytes) => packr.unpack(bytes),
};
