import { encodeFrame, jsonEncoding, type Codec, type EventEnvelope, type Sealer } from '@shopstream/shared';
import { gzipEncodeCodec, identityEncodeCodec } from './codecs.js';

const utf8 = new TextEncoder();

/**
 * The bytes of one batch request. A frame of gzip (CompressionStream) + JSON: the collector's
 * frame, without shipping msgpack to the browser. Where CompressionStream is missing (older
 * Safari), plain JSON `{"batch":[...]}`, which the collector tells from a frame by its first
 * byte; a sealed batch must be a frame, so then the frame goes uncompressed.
 * `codec` is forced to identity for beacons: gzip is asynchronous and a page being torn down
 * only runs microtasks.
 */
export function encodeRequestBody(events: readonly EventEnvelope[], sealer: Sealer | undefined, codec?: Codec): Promise<Uint8Array> {
  const hasGzip = typeof CompressionStream === 'function';
  if (!codec && !hasGzip && !sealer) return Promise.resolve(utf8.encode(JSON.stringify({ batch: events })));
  return encodeFrame(events, { codec: codec ?? (hasGzip ? gzipEncodeCodec : identityEncodeCodec), encoding: jsonEncoding, sealer });
}
