/**
 * Another tracker's wire format on the acknowledgement path: how its body becomes the JSON batch
 * the WAL stores, and where it carries its write key when no header or query names one. The
 * mapping onto envelopes happens after the WAL (../pipeline/segment, ../pipeline/snowplow), so
 * the WAL keeps every field the tracker sent.
 */
import type { ServerResponse } from 'node:http';
import type { EventKind } from '@shopstream/shared';
import { segmentCallBody } from '../pipeline/segment/segment-call-body.js';
import { snowplowPixelAppId, snowplowPixelBody, snowplowPostAppId, snowplowPostBody } from '../pipeline/snowplow/snowplow-payload.js';

export interface BodyAdapter {
  /** Asked by the write-key gate when no header or query named a key (Snowplow's app id). */
  writeKeyOf?(rawBody: Uint8Array): string | undefined;
  /** The body (Content-Encoding undone) as the WAL stores it: a JSON batch. Throws a CollectorError (4xx) when unreadable. */
  toBatch(body: Buffer): Buffer;
  /** Answers a stored request itself instead of the JSON `{ok, requestId}` (Snowplow's pixel: a GIF). */
  answerOk?(res: ServerResponse): void;
}

/** Segment's single calls (`/v1/track`, `/v1/t`, …): one message, the call implied by the path. */
export function segmentCallAdapter(call: EventKind): BodyAdapter {
  return { toBatch: (body) => segmentCallBody(body, call) };
}

/** `POST /com.snowplowanalytics.snowplow/tp2`: a payload_data JSON, the write key its events' `aid`. */
export const snowplowPostAdapter: BodyAdapter = {
  writeKeyOf: snowplowPostAppId,
  toBatch: snowplowPostBody,
};

// A transparent 1×1 GIF, what Snowplow's collector answers on /i so an <img> pixel renders.
const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** `GET /i?…`: one event in the query string, answered with the pixel. */
export function snowplowPixelAdapter(query: URLSearchParams): BodyAdapter {
  return {
    writeKeyOf: () => snowplowPixelAppId(query),
    toBatch: () => snowplowPixelBody(query),
    answerOk: (res) => void res.writeHead(200, { 'content-type': 'image/gif', 'content-length': PIXEL_GIF.length, 'cache-control': 'no-store' }).end(PIXEL_GIF),
  };
}
