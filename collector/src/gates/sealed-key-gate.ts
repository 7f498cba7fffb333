/**
 * Ack-path gate for sealed frames: the key id in the frame header must be one this collector
 * holds, else 400 `SHARED_CRYPTO_UNKNOWN_KEY` naming it (a client shipped with a key that was
 * never deployed, or already retired). Checking the id costs nothing; opening the payload
 * (and so detecting tampering) happens after the WAL, in the decode stage, where a tampered
 * payload lands in `failed` with `SHARED_CRYPTO_TAMPERED`.
 */
import { FRAME_HEADER_BYTES, FRAME_MAGIC, readFrameHeader } from '@shopstream/shared';
import type { IngestGate } from './ingest-gate.js';

export function sealedKeyGate(keyIds: readonly number[]): IngestGate {
  const known = new Set(keyIds);
  const list = keyIds.length > 0 ? keyIds.join(', ') : 'none: sealed frames are not accepted';
  return {
    name: 'sealed-key',
    onBody(_request, rawBody) {
      if (rawBody.length < FRAME_HEADER_BYTES) return undefined;
      if (new DataView(rawBody.buffer, rawBody.byteOffset, 4).getUint32(0, true) !== FRAME_MAGIC) return undefined;
      let header;
      try {
        header = readFrameHeader(rawBody);
      } catch {
        return undefined; // the route's checkFrame answers with the precise frame error
      }
      if (!header.sealed || known.has(header.keyId)) return undefined;
      return {
        status: 400,
        code: 'SHARED_CRYPTO_UNKNOWN_KEY',
        message: `The frame is sealed with key id ${header.keyId}, which this collector does not hold (known key ids: ${list}); update the SDK's public key.`,
      };
    },
  };
}
