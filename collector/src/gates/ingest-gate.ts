/**
 * The checks a batch passes before it is appended to the WAL, as a list of gates the server
 * runs in order. Each gate hooks the moment it needs: `onHeaders` (write-key auth: refuse before
 * reading a byte of body), `onBody` (HMAC signatures over the raw bytes as sent), `onBatch`
 * (rate limits, once the event count is known). A gate answers a failure or `undefined`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SourceConfig } from '../config/config.js';
import { CollectorError } from '../errors.js';
import type { BodyAdapter } from '../http/body-adapter.js';
import type { HttpFailure } from '../http/reply.js';
import type { ContentKind } from '../pipeline/ingest-record.js';

export interface IngestRequest {
  readonly requestId: string;
  readonly headers: IncomingHttpHeaders;
  readonly query: URLSearchParams;
  readonly remoteAddress: string | undefined;
  /** Set for bodies in another tracker's format (Segment's single calls, Snowplow): how they become a JSON batch. */
  readonly adapter?: BodyAdapter;
  /** Set by the write-key gate; every later gate can rely on it. */
  source?: SourceConfig;
}

export interface CheckedBatch {
  readonly contentKind: ContentKind;
  readonly eventCount: number;
  /** Body bytes as they go into the WAL. */
  readonly bytes: number;
}

type GateResult = HttpFailure | undefined | Promise<HttpFailure | undefined>;

export interface IngestGate {
  readonly name: string;
  onHeaders?(request: IngestRequest): GateResult;
  onBody?(request: IngestRequest, rawBody: Uint8Array): GateResult;
  onBatch?(request: IngestRequest, batch: CheckedBatch): GateResult;
}

/**
 * Finds the source by write key, from (in order) `Authorization: Bearer <key>`, HTTP Basic with
 * the key as user (Segment's clients), `X-Shopstream-Key`, `?writeKey=` (beacons cannot set headers),
 * or `writeKey` in a JSON body (Segment's browser library). Unknown: 401 `COLLECTOR_AUTH_UNKNOWN_KEY`.
 */
export function writeKeyGate(sources: readonly SourceConfig[]): IngestGate {
  const byKey = new Map(sources.map((s) => [s.writeKey, s]));
  return {
    name: 'write-key',
    onHeaders(request) {
      const key = writeKeyOf(request);
      // No key in the headers: Segment's browser library sends `writeKey` in the JSON body instead (onBody).
      if (key === undefined) return undefined;
      const source = byKey.get(key);
      if (!source) return unknownKey();
      request.source = source;
      return undefined;
    },
    onBody(request, rawBody) {
      if (request.source) return undefined;
      const key = request.adapter?.writeKeyOf?.(rawBody) ?? bodyWriteKey(rawBody);
      if (key === undefined) {
        return new CollectorError('COLLECTOR_UNAUTHORIZED', 'No write key was sent; send it as "Authorization: Bearer <writeKey>", "X-Shopstream-Key" or ?writeKey=.', { status: 401 });
      }
      const source = byKey.get(key);
      if (!source) return unknownKey();
      request.source = source;
      return undefined;
    },
  };
}

function unknownKey(): CollectorError {
  return new CollectorError('COLLECTOR_AUTH_UNKNOWN_KEY', 'The write key is not known to this collector; check the key of your source.', { status: 401 });
}

/** `{"writeKey": "...", ...}` as Segment's browser library sends it (plain JSON only, not gzip). */
function bodyWriteKey(rawBody: Uint8Array): string | undefined {
  if (rawBody[0] !== 0x7b /* { */) return undefined;
  try {
    const value = JSON.parse(Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength).toString('utf8')) as { writeKey?: unknown };
    return typeof value.writeKey === 'string' && value.writeKey !== '' ? value.writeKey : undefined;
  } catch {
    return undefined;
  }
}

/** The write key a request names in its headers or query (also Rudder's source-config request). */
export function writeKeyOf(request: Pick<IngestRequest, 'headers' | 'query'>): string | undefined {
  const auth = request.headers.authorization;
  if (auth) {
    const [scheme, value] = auth.split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'bearer' && value) return value;
    if (scheme?.toLowerCase() === 'basic' && value) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon < 0 ? decoded : decoded.slice(0, colon);
    }
  }
  const header = request.headers['x-shopstream-key'];
  if (typeof header === 'string' && header !== '') return header;
  return request.query.get('writeKey') ?? undefined;
}
