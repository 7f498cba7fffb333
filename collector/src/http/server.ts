/**
 * The collector's HTTP server (node:http, keep-alive): routes, CORS, a request id per request.
 *
 *   POST /v1/batch   ingest (./batch-route.ts)
 *   POST /v1/track|identify|page|screen|group|alias   Segment's single calls, ingested as one-item batches
 *   Segment analytics-next, RudderStack and Snowplow paths (./tracker-routes.ts)
 *   GET  /healthz    the process answers
 *   GET  /readyz     200 when it takes traffic; 503 with reasons (WAL over quota, sink lag, shutdown)
 *   GET  /metrics    Prometheus text
 *   GET  /v1/status  JSON for tools and the storefront's live panel: per-sink cursor and lag, WAL stats
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createUuidV7 } from '@shopstream/shared';
import { createPooledRandom } from '@shopstream/shared/node';
import type { Logger } from 'pino';
import type { CollectorConfig } from '../config/config.js';
import { CollectorError } from '../errors.js';
import { LogEvent } from '../telemetry/events.js';
import type { CollectorMetrics } from '../telemetry/metrics.js';
import { handleBatch, type BatchRouteDeps } from './batch-route.js';
import { segmentCallOfPath } from '../pipeline/segment/segment-call-body.js';
import { segmentCallAdapter } from './body-adapter.js';
import { answerPreflight, applyCors } from './cors.js';
import { serveTrackerRoute, trackerRouteOf } from './tracker-routes.js';
import { sendError, sendJson } from './reply.js';
import { answerClientError } from './client-error.js';

export interface ServerDeps {
  readonly config: Pick<CollectorConfig, 'limits' | 'cors' | 'sources'>;
  readonly batch: BatchRouteDeps;
  /** Reasons /readyz is red; empty when ready. */
  readonly unreadyReasons: () => string[];
  readonly status: () => unknown;
  /** Brings figures kept elsewhere (a delivery worker's report) up to date before /metrics and /v1/status. */
  readonly refresh?: () => Promise<void>;
  readonly metrics: CollectorMetrics;
  readonly log: Logger;
}

const HEADERS_TIMEOUT_MS = 10_000;
const NO_QUERY: URLSearchParams = new URLSearchParams();

// Request ids need uniqueness, not secrecy: one CSPRNG call per ~250 ids.
const requestIdOf = createUuidV7(Date.now, createPooledRandom());

export function createCollectorServer(deps: ServerDeps): Server {
  const { limits, cors } = deps.config;
  const server = createServer(
    { keepAliveTimeout: limits.keepAliveTimeoutMs, requestTimeout: limits.requestTimeoutMs, headersTimeout: Math.min(HEADERS_TIMEOUT_MS, limits.requestTimeoutMs) },
    (req, res) => {
      route(req, res, deps).catch((error: unknown) => {
        deps.log.error({ event: LogEvent.RequestError, err: error }, 'request handler failed');
        sendError(res, new CollectorError('COLLECTOR_INTERNAL', 'The collector hit an unexpected error.', { status: 500 }));
      });
    },
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => answerClientError(error, socket, deps));
  return server;
}

/** Metric labels from a fixed list only: a client must not create label series by inventing paths. */
const FIXED_ROUTES = new Set(['/v1/batch', '/healthz', '/readyz', '/metrics', '/v1/status']);
export function routeLabel(path: string): string {
  if (FIXED_ROUTES.has(path) || segmentCallOfPath(path)) return path;
  return 'other';
}

async function route(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  const requestId = requestIdOf();
  res.setHeader('x-request-id', requestId);
  applyCors(req, res, deps.config.cors.origins);
  if (answerPreflight(req, res, deps.config.cors.origins)) return;
  const { path, query } = splitUrl(req.url ?? '/');
  const tracker = trackerRouteOf(path);
  res.on('finish', () => deps.metrics.requestDone(tracker?.label ?? routeLabel(path), res.statusCode));
  if (tracker) return serveTrackerRoute(tracker, req, res, { requestId, headers: req.headers, query, remoteAddress: req.socket.remoteAddress }, { sources: deps.config.sources, batch: deps.batch });

  if (path === '/v1/batch') {
    if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
    return handleBatch(req, res, { requestId, headers: req.headers, query, remoteAddress: req.socket.remoteAddress }, deps.batch);
  }
  const segmentCall = segmentCallOfPath(path);
  if (segmentCall) {
    if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
    return handleBatch(req, res, { requestId, headers: req.headers, query, remoteAddress: req.socket.remoteAddress, adapter: segmentCallAdapter(segmentCall) }, deps.batch);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    if (['/healthz', '/readyz', '/metrics', '/v1/status'].includes(path)) return methodNotAllowed(res, 'GET');
    return notFound(res, path);
  }
  switch (path) {
    case '/healthz':
      return sendJson(res, 200, { ok: true });
    case '/readyz': {
      const reasons = deps.unreadyReasons();
      return sendJson(res, reasons.length === 0 ? 200 : 503, { ready: reasons.length === 0, reasons });
    }
    case '/metrics': {
      await deps.refresh?.();
      const text = await deps.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
      res.end(text);
      return;
    }
    case '/v1/status':
      await deps.refresh?.();
      return sendJson(res, 200, deps.status(), { 'cache-control': 'no-store' });
    default:
      return notFound(res, path);
  }
}

/**
 * Path (trailing slashes dropped) and query of a request target. The common `/v1/batch` with no
 * query skips WHATWG URL parsing; anything unusual (absolute form, `%`-escapes, `..`) goes
 * through `URL` as before, so both give the same answer.
 */
function splitUrl(target: string): { path: string; query: URLSearchParams } {
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  if (rawPath.startsWith('/') && !/[^A-Za-z0-9/_-]|\/\//.test(rawPath) && !target.includes('#')) {
    return { path: rawPath.replace(/\/+$/, '') || '/', query: q < 0 ? NO_QUERY : new URLSearchParams(target.slice(q + 1)) };
  }
  const url = new URL(target, 'http://collector.invalid');
  return { path: url.pathname.replace(/\/+$/, '') || '/', query: url.searchParams };
}

function methodNotAllowed(res: ServerResponse, allowed: string): void {
  res.setHeader('allow', allowed);
  sendError(res, new CollectorError('COLLECTOR_METHOD_NOT_ALLOWED', `This path answers ${allowed} only.`, { status: 405 }));
}

function notFound(res: ServerResponse, path: string): void {
  sendError(res, new CollectorError('COLLECTOR_NOT_FOUND', `Nothing lives at ${path}; batches go to POST /v1/batch.`, { status: 404 }));
}
