import { assembleFrame, CodecId, crc32cSmall, PayloadEncoding, type EventEnvelope, type Sealer } from '@shopstream/shared';

const utf8 = new TextEncoder();

/**
 * The bytes of one batch request. A frame of gzip (CompressionStream) + JSON: the collector's
 * frame, without shipping msgpack, the codec objects or the slicing-by-8 CRC32C to the browser
 * (`assembleFrame` with the one-table `crc32cSmall`: same bytes). Where CompressionStream is
 * missing (older Safari), plain JSON `{"batch":[...]}`, which the collector tells from a frame
 * by its first byte; a sealed batch must be a frame, so then the frame goes uncompressed.
 * `beacon`: an uncompressed frame, because gzip is asynchronous and a page being torn down only
 * runs microtasks.
 */
export async function encodeRequestBody(events: readonly EventEnvelope[], sealer: Sealer | undefined, beacon?: boolean): Promise<Uint8Array> {
  const gzip = !beacon && typeof CompressionStream === 'function';
  const frame = gzip || sealer || beacon;
  let payload: Uint8Array = utf8.encode(JSON.stringify(frame ? events : { batch: events }));
  if (!frame) return payload;
  if (gzip) payload = new Uint8Array(await new Response(new Blob([payload as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
  if (sealer) payload = await sealer.seal(payload);
  return assembleFrame(payload, { codec: gzip ? CodecId.gzip : CodecId.identity, encoding: PayloadEncoding.json, keyId: sealer?.keyId, eventCount: events.length }, crc32cSmall);
}
