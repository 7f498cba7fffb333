import type { EventEnvelope } from '../event.js';
import type { PayloadEncoding } from './header.js';

/**
 * How the envelope array becomes bytes before compression. msgpack is the default (compact,
 * fast to decode on the collector); JSON lets the browser build frames without shipping a
 * msgpack encoder, since gzip(JSON) is about as small as gzip(msgpack).
 */
export interface EnvelopeEncoding {
  readonly id: PayloadEncoding;
  readonly name: 'msgpack' | 'json';
  encode(envelopes: readonly EventEnvelope[]): Uint8Array;
  /** Returns the decoded value unchecked; `decodeFrame` checks that it is an array. */
  decode(bytes: Uint8Array): unknown;
}

export type EncodingSet = Partial<Record<PayloadEncoding, EnvelopeEncoding>>;
