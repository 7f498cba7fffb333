/**
 * Ack-path size limits beyond what the HTTP layer checks itself (body bytes while streaming,
 * gzip output, event count from the frame header):
 * - an unsealed lz4 frame declares its decoded size in its first 4 payload bytes, so a
 *   compression bomb is refused here (413 `COLLECTOR_LIMIT_DECODED_BYTES`) before the WAL;
 *   gzip and sealed frames are bounded while decoding after the WAL (failed zone).
 * - JSON bodies (the Segment-compatible API) are held to Segment's 500 KB per request.
 */
import { CodecId, FRAME_HEADER_BYTES, FRAME_MAGIC, readFrameHeader } from '@shopstream/shared';
import { CollectorError } from '../errors.js';
import type { IngestGate } from './ingest-gate.js';
import { SEGMENT_BATCH_BYTES_MAX } from '../pipeline/segment/segment-to-envelopes.js';

export interface AckLimits {
  readonly decodedBytesMax: number;
  readonly jsonBodyBytesMax?: number;
}

export function ackLimitsGate(limits: AckLimits): IngestGate {
  const jsonBodyBytesMax = limits.jsonBodyBytesMax ?? SEGMENT_BATCH_BYTES_MAX;
  return {
    name: 'ack-limits',
    onBody(_request, rawBody) {
      if (rawBody.length < FRAME_HEADER_BYTES + 4) return undefined;
      const view = new DataView(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
      if (view.getUint32(0, true) !== FRAME_MAGIC) return undefined;
      let header;
      try {
        header = readFrameHeader(rawBody);
      } catch {
        return undefined; // the route's checkFrame answers with the precise frame error
      }
      if (header.sealed || header.codec !== CodecId.lz4) return undefined;
      const declared = view.getUint32(FRAME_HEADER_BYTES, true);
      if (declared <= limits.decodedBytesMax) return undefined;
      return new CollectorError(
        'COLLECTOR_LIMIT_DECODED_BYTES',
        `The lz4 frame declares ${declared} decoded bytes, over the ${limits.decodedBytesMax}-byte limit (limits.decodedBytesMax); send smaller batches.`,
        { status: 413 },
      );
    },
    onBatch(_request, batch) {
      if (batch.contentKind !== 'json' || batch.bytes <= jsonBodyBytesMax) return undefined;
      return new CollectorError(
        'COLLECTOR_LIMIT_BODY_BYTES',
        `The JSON body is ${batch.bytes} bytes, over the ${jsonBodyBytesMax}-byte limit for JSON batches (Segment's 500 KB); send smaller batches.`,
        { status: 413 },
      );
    },
  };
}
