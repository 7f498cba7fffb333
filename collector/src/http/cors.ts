/**
 * CORS for browsers posting from the shop's origin. Allowed request headers are the ones the
 * SDK and other trackers send (Segment's `X-Retry-Count`, RudderStack's `AnonymousId`, `SentAt`
 * and `RSA-*` retry headers, Snowplow's `SP-Anonymous`); any `X-Shopstream-*` header
 * (signatures, keys) passes. Credentials
 * are allowed because Snowplow's browser tracker sends its requests with `credentials: 'include'`;
 * the collector reads no cookie, and the origin is always echoed, never `*`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_HEADERS = new Set(['authorization', 'content-type', 'content-encoding', 'x-request-id', 'x-retry-count', 'anonymousid', 'sentat', 'sp-anonymous']);
const ALLOWED_PREFIXES = ['x-shopstream-', 'rsa-'];
const MAX_AGE_SEC = 600;

export function applyCors(req: IncomingMessage, res: ServerResponse, origins: readonly string[]): void {
  const origin = req.headers.origin;
  if (!origin) return;
  if (!origins.includes('*') && !origins.includes(origin)) return;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-allow-credentials', 'true');
  res.setHeader('access-control-expose-headers', 'Retry-After, X-Request-Id');
}

/** Answers a preflight; returns false when it was not one. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse, origins: readonly string[]): boolean {
  if (req.method !== 'OPTIONS') return false;
  applyCors(req, res, origins);
  const asked = String(req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const allowed = asked.filter((h) => ALLOWED_HEADERS.has(h) || ALLOWED_PREFIXES.some((prefix) => h.startsWith(prefix)));
  res.writeHead(204, {
    'access-control-allow-methods': 'POST, GET, OPTIONS',
    'access-control-allow-headers': [...new Set([...ALLOWED_HEADERS, ...allowed])].join(', '),
    'access-control-max-age': String(MAX_AGE_SEC),
    'content-length': '0',
  });
  res.end();
  return true;
}
