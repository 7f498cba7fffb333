import { createHmac } from 'node:crypto';
import type { Transport } from '../transport/transport.js';

export const TIMESTAMP_HEADER = 'X-Shopstream-Timestamp';
export const SIGNATURE_HEADER = 'X-Shopstream-Signature';

/**
 * The request signature the collector checks: HMAC-SHA256 with the source secret over
 * `"<timestamp ms>.<raw body bytes>"`, hex, sent as `v1=<hex>`. The timestamp bounds replay:
 * the collector refuses signatures outside its window.
 */
export function signatureHex(secret: string, timestampMs: number, body: Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestampMs}.`).update(body).digest('hex');
}

export function signatureHeaders(secret: string, timestampMs: number, body: Uint8Array): Record<string, string> {
  return { [TIMESTAMP_HEADER]: String(timestampMs), [SIGNATURE_HEADER]: `v1=${signatureHex(secret, timestampMs, body)}` };
}

/**
 * Wraps a transport so every send is signed. Placed inside the retry wrapper, so each attempt
 * is signed afresh and a long backoff never sends a stale timestamp.
 */
export function createSigningTransport(inner: Transport, secret: string, now: () => number = Date.now): Transport {
  return {
    send(body, headers, timeoutMs) {
      return inner.send(body, { ...headers, ...signatureHeaders(secret, now(), body) }, timeoutMs);
    },
    close: () => inner.close?.() ?? Promise.resolve(),
  };
}
