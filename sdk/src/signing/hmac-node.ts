import { createHmac } from 'node:crypto';
import type { Transport } from '../transport/transport.js';

export const TIMESTAMP_HEADER = 'X-Shopstream-Timestamp';
export const SIGNATURE_HEADER = 'X-Shopstream-Signature';

/**
 * A source secret and the id the collector knows it by (`sources[].secrets[].id`). With an id the
 * signature header names it (`kid=<id>,v1=<hex>`) and the collector checks that one secret;
 * without, the collector tries each of the source's secrets (a secret configured the old way).
 */
export interface SigningKey {
  readonly secret: string;
  readonly id?: string;
}

/**
 * The request signature the collector checks: HMAC-SHA256 with the source secret over
 * `"<timestamp ms>.<raw body bytes>"`, hex, sent as `v1=<hex>`. The timestamp bounds replay:
 * the collector refuses signatures outside its window.
 */
export function signatureHex(secret: string, timestampMs: number, body: Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestampMs}.`).update(body).digest('hex');
}

/** The two headers for one request: `X-Shopstream-Signature: [kid=<id>,]v1=<hex>`. */
export function signatureHeaders(secret: string, timestampMs: number, body: Uint8Array, keyId?: string): Record<string, string> {
  const signature = `v1=${signatureHex(secret, timestampMs, body)}`;
  return { [TIMESTAMP_HEADER]: String(timestampMs), [SIGNATURE_HEADER]: keyId === undefined ? signature : `kid=${keyId},${signature}` };
}

/**
 * Wraps a transport so every send is signed with the key `key()` answers at that moment (none:
 * sent unsigned), so `setCredentials` rotates the secret for the very next attempt. Placed
 * inside the retry wrapper, so each attempt is signed afresh and a long backoff never sends a
 * stale timestamp.
 */
export function createSigningTransport(inner: Transport, key: string | SigningKey | (() => SigningKey | undefined), now: () => number = Date.now): Transport {
  const current = typeof key === 'function' ? key : () => (typeof key === 'string' ? { secret: key } : key);
  return {
    send(body, headers, timeoutMs) {
      const signing = current();
      if (!signing) return inner.send(body, headers, timeoutMs);
      return inner.send(body, { ...headers, ...signatureHeaders(signing.secret, now(), body, signing.id) }, timeoutMs);
    },
    close: () => inner.close?.() ?? Promise.resolve(),
  };
}
