/**
 * The paths other trackers use, so a shop switches by changing one URL:
 *
 *   Segment analytics-next   GET  /v1/projects/<writeKey>/settings   settings naming this collector as apiHost
 *                            POST /v1/t /v1/p /v1/i /v1/g /v1/a /v1/s (one call each), /v1/b (batching strategy)
 *   RudderStack JS / Node    GET  /sourceConfig                      source config (no device-mode destinations)
 *                            POST /v1/batch, /v1/track|page|… (./server.ts), /beacon/v1/batch?writeKey=
 *   Snowplow trackers        POST /com.snowplowanalytics.snowplow/tp2, GET /i (pixel)
 *
 * Every route has a fixed label for the request metrics: a write key in a path never becomes a
 * label. Ingest routes go through `handleBatch` (gates, WAL, the same answer as /v1/batch).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SourceConfig } from '../config/config.js';
import { CollectorError } from '../errors.js';
import { rudderSourceConfig } from '../pipeline/rudderstack/source-config.js';
import { segmentSettings } from '../pipeline/segment/segment-settings.js';
import { SEGMENT_BATCH_SHORT_PATH, SEGMENT_SHORT_CALLS } from '../pipeline/segment/segment-short-routes.js';
import { handleBatch, type BatchRouteDeps } from './batch-route.js';
import { segmentCallAdapter, snowplowPixelAdapter, snowplowPostAdapter, type BodyAdapter } from './body-adapter.js';
import { writeKeyOf, type IngestRequest } from '../gates/ingest-gate.js';
import { sendError, sendJson } from './reply.js';

export type TrackerRoute =
  | { readonly kind: 'ingest'; readonly label: string; readonly method: 'POST' | 'GET'; readonly adapter?: (query: URLSearchParams) => BodyAdapter }
  | { readonly kind: 'segment-settings'; readonly label: string; readonly writeKey: string }
  | { readonly kind: 'rudder-source-config'; readonly label: string };

export interface TrackerRouteDeps {
  readonly sources: readonly SourceConfig[];
  readonly batch: BatchRouteDeps;
}

const SETTINGS_PATH = /^\/v1\/projects\/([^/]{1,200})\/settings$/;
/** Browsers may keep the settings a minute; a changed apiHost reaches pages within that. */
const SETTINGS_MAX_AGE_SEC = 60;
const HOST_HEADER = /^[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?$/;

const FIXED: ReadonlyMap<string, TrackerRoute> = new Map<string, TrackerRoute>([
  ...Object.entries(SEGMENT_SHORT_CALLS).map(([path, call]): [string, TrackerRoute] => {
    const adapter = segmentCallAdapter(call);
    return [path, { kind: 'ingest', label: path, method: 'POST', adapter: () => adapter }];
  }),
  [SEGMENT_BATCH_SHORT_PATH, { kind: 'ingest', label: SEGMENT_BATCH_SHORT_PATH, method: 'POST' }],
  ['/beacon/v1/batch', { kind: 'ingest', label: '/beacon/v1/batch', method: 'POST' }],
  ['/sourceConfig', { kind: 'rudder-source-config', label: '/sourceConfig' }],
  ['/com.snowplowanalytics.snowplow/tp2', { kind: 'ingest', label: '/com.snowplowanalytics.snowplow/tp2', method: 'POST', adapter: () => snowplowPostAdapter }],
  ['/i', { kind: 'ingest', label: '/i', method: 'GET', adapter: snowplowPixelAdapter }],
]);

/** The tracker route of a path (trailing slashes already dropped); undefined for any other path. */
export function trackerRouteOf(path: string): TrackerRoute | undefined {
  const fixed = FIXED.get(path);
  if (fixed) return fixed;
  const settings = SETTINGS_PATH.exec(path);
  if (!settings) return undefined;
  let writeKey: string;
  try {
    writeKey = decodeURIComponent(settings[1]!);
  } catch {
    return undefined; // a malformed %-escape names no key
  }
  return { kind: 'segment-settings', label: '/v1/projects/:writeKey/settings', writeKey };
}

export async function serveTrackerRoute(route: TrackerRoute, req: IncomingMessage, res: ServerResponse, request: IngestRequest, deps: TrackerRouteDeps): Promise<void> {
  // HEAD reads a config like GET; on an ingest route it would store an event, so it is refused there.
  const method = req.method === 'HEAD' && route.kind !== 'ingest' ? 'GET' : req.method;
  const allowed = route.kind === 'ingest' ? route.method : 'GET';
  if (method !== allowed) {
    res.setHeader('allow', allowed);
    return sendError(res, new CollectorError('COLLECTOR_METHOD_NOT_ALLOWED', `This path answers ${allowed} only.`, { status: 405 }), request.requestId);
  }
  switch (route.kind) {
    case 'ingest':
      return handleBatch(req, res, route.adapter ? { ...request, adapter: route.adapter(request.query) } : request, deps.batch);
    case 'segment-settings': {
      const source = deps.sources.find((s) => s.writeKey === route.writeKey);
      if (!source) return sendError(res, unknownKey(), request.requestId);
      const host = req.headers.host ?? '';
      if (!HOST_HEADER.test(host)) {
        return sendError(res, new CollectorError('COLLECTOR_BAD_HOST_HEADER', 'The settings name the collector by the Host header, which is missing or malformed.', { status: 400 }), request.requestId);
      }
      const settings = segmentSettings({ writeKey: source.writeKey, host, protocol: forwardedProto(req) });
      return sendJson(res, 200, settings, { 'cache-control': `public, max-age=${SETTINGS_MAX_AGE_SEC}` });
    }
    case 'rudder-source-config': {
      // With `sendAdblockPage`, the SDK probes this URL (`?view=ad`, HEAD, no key) to detect ad blockers: it only needs a 2xx.
      if (request.query.get('view') === 'ad') return sendJson(res, 200, {}, { 'cache-control': 'no-store' });
      const key = writeKeyOf(request);
      const source = key === undefined ? undefined : deps.sources.find((s) => s.writeKey === key);
      if (!source) return sendError(res, unknownKey(), request.requestId);
      return sendJson(res, 200, rudderSourceConfig({ sourceId: source.id, writeKey: source.writeKey }), { 'cache-control': 'no-store' });
    }
  }
}

function unknownKey(): CollectorError {
  return new CollectorError('COLLECTOR_AUTH_UNKNOWN_KEY', 'The write key is not known to this collector; check the key of your source.', { status: 401 });
}

/** `https` behind a TLS-terminating proxy that says so, else what the socket is. */
function forwardedProto(req: IncomingMessage): 'http' | 'https' {
  const forwarded = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  if (first === 'https' || first === 'http') return first;
  return (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
}
