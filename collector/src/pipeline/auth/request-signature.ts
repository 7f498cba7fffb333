/**
 * HMAC request signatures for server-side sources (those configured with a `secret`):
 *
 *   X-Shopstream-Timestamp: <unix ms>
 *   X-Shopstream-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *
 * The raw body is the bytes as sent on the wire (after compression and sealing, before any
 * `Content-Encoding` is undone), so the collector checks it before reading anything inside.
 * The timestamp must lie within `windowMs` of the collector's clock (both ways), so a captured
 * request cannot be replayed later; duplicates within the window are caught by event-id dedupe.
 * Several `v1=` entries (comma separated) may be sent while a secret is being rotated.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-shopstream-signature';
export const TIMESTAMP_HEADER = 'x-shopstream-timestamp';
export const SIGNATURE_WINDOW_MS_DEFAULT = 5 * 60_000;
/** A signature header holds a few entries at most; the bound stops a header of thousands. */
const SIGNATURES_MAX = 4;

export type SignatureCheck = 'valid' | 'missing' | 'malformed' | 'stale' | 'mismatch';

export function signatureHex(secret: string, timestampMs: number | string, body: Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestampMs}.`).update(body).digest('hex');
}

/** What a sender puts in the two headers; the Node SDK's signer does exactly this. */
export function signRequest(secret: string, body: Uint8Array, nowMs: number): Record<string, string> {
  return { 'X-Shopstream-Timestamp': String(nowMs), 'X-Shopstream-Signature': `v1=${signatureHex(secret, nowMs, body)}` };
}

export interface SignatureInput {
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly body: Uint8Array;
  readonly nowMs: number;
  readonly windowMs: number;
}

export function checkSignature(secret: string, input: SignatureInput): SignatureCheck {
  if (input.timestamp === undefined || input.signature === undefined) return 'missing';
  if (!/^\d{1,16}$/.test(input.timestamp)) return 'malformed';
  const candidates = input.signature
    .split(',')
    .slice(0, SIGNATURES_MAX)
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .map((part) => part.slice(3));
  if (candidates.length === 0 || candidates.some((hex) => !/^[0-9a-f]{64}$/i.test(hex))) return 'malformed';
  // The MAC is checked before the clock, so an attacker learns nothing about the window from
  // forged requests, and a valid-but-old request is told apart (stale) for the operator.
  const expected = Buffer.from(signatureHex(secret, input.timestamp, input.body), 'hex');
  const matches = candidates.some((hex) => timingSafeEqual(Buffer.from(hex, 'hex'), expected));
  if (!matches) return 'mismatch';
  if (Math.abs(input.nowMs - Number(input.timestamp)) > input.windowMs) return 'stale';
  return 'valid';
}
