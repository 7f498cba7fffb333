import { PayloadEncoding } from '../header.js';
import type { EnvelopeEncoding } from '../encoding.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 JSON array of envelopes: costs the browser bundle nothing. */
export const jsonEncoding: EnvelopeEncoding = {
  id: PayloadEncoding.json,
  name: 'json',
  encode: (envelopes) => encoder.encode(JSON.stringify(envelopes)),
  decode: (bytes) => JSON.parse(decoder.decode(bytes)),
};
