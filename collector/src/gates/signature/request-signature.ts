/**
 * HMAC request signatures for server-side sources (those configured with `secret` or `secrets`):
 *
 *   X-Shopstream-Timestamp: <unix ms>
 *   X-Shopstream-Signature: [kid=<key id>,]v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *
 * The raw body is the bytes as sent on the wire (after compression and sealing, before any
 * `Content-Encoding` is undone), so the collector checks it before reading anything inside.
 * The timestamp must lie within `windowMs` of the collector's clock (both ways), so a captured
 * request cannot be replayed later; duplicates within the window are caught by event-id dedupe.
 *
 * Rotation with an overlap: a source holds up to SOURCE_SECRETS_MAX secrets, each with an id
 * (`sources[].secrets: [{ id, secret }]`; the old `secret` is one without an id). A sender
 * names its key with `kid=<id>` and only that secret is checked; a sender that names none (an
 * older SDK) matches any of them. So: add the new secret beside the old, move senders to it,
 * then remove the old one; nothing signed with either is refused in between. Several `v1=`
 * entries (comma separated) may also be sent, one per secret the sender holds.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SourceSecret } from '../../config/config.js';

export const SIGNATURE_HEADER = 'x-shopstream-signature';
export const TIMESTAMP_HEADER = 'x-shopstream-timestamp';
export const SIGNATURE_WINDOW_MS_DEFAULT = 5 * 60_000;
/** A signature header holds a few entries at most; the bound stops a header of thousands. */
const SIGNATURES_MAX = 4;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** `unknown_key`: the header names a key id the source does not have (retired, or a typo). */
export type SignatureCheck = 'valid' | 'missing' | 'malformed' | 'unknown_key' | 'stale' | 'mismatch';

export function signatureHex(secret: string, timestampMs: number | string, body: Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestampMs}.`).update(body).digest('hex');
}

/** What a sender puts in the two headers; the Node SDK's signer does exactly this. */
export function signRequest(secret: string, body: Uint8Array, nowMs: number, keyId?: string): Record<string, string> {
  const signature = `v1=${signatureHex(secret, nowMs, body)}`;
  return { 'X-Shopstream-Timestamp': String(nowMs), 'X-Shopstream-Signature': keyId === undefined ? signature : `kid=${keyId},${signature}` };
}

export interface SignatureInput {
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly body: Uint8Array;
  readonly nowMs: number;
  readonly windowMs: number;
}

/** The signature header's parts: the key id it names (if any) and its `v1=` hex entries. */
export function parseSignatureHeader(header: string): { keyId?: string; signatures: string[] } | undefined {
  const parts = header.split(',').slice(0, SIGNATURES_MAX + 1).map((part) => part.trim());
  const keyIds = parts.filter((part) => part.startsWith('kid=')).map((part) => part.slice(4));
  const signatures = parts.filter((part) => part.startsWith('v1=')).map((part) => part.slice(3));
  if (keyIds.length > 1 || keyIds.some((id) => !KEY_ID.test(id))) return undefined;
  if (signatures.length === 0 || signatures.length > SIGNATURES_MAX || signatures.some((hex) => !/^[0-9a-f]{64}$/i.test(hex))) return undefined;
  return keyIds[0] === undefined ? { signatures } : { keyId: keyIds[0], signatures };
}

/** Checks a request against a source's secrets (or one secret, the old form). */
export function checkSignature(secrets: string | readonly SourceSecret[], input: SignatureInput): SignatureCheck {
  if (input.timestamp === undefined || input.signature === undefined) return 'missing';
  if (!/^\d{1,16}$/.test(input.timestamp)) return 'malformed';
  const parsed = parseSignatureHeader(input.signature);
  if (!parsed) return 'malformed';
  const all = typeof secrets === 'string' ? [{ secret: secrets }] : secrets;
  const candidates = parsed.keyId === undefined ? all : all.filter((s) => s.id === parsed.keyId);
  if (candidates.length === 0) return 'unknown_key';
  // The MAC is checked before the clock, so an attacker learns nothing about the window from
  // forged requests, and a valid-but-old request is told apart (stale) for the operator.
  const given = parsed.signatures.map((hex) => Buffer.from(hex, 'hex'));
  const matches = candidates.some(({ secret }) => {
    const expected = Buffer.from(signatureHex(secret, input.timestamp!, input.body), 'hex');
    return given.some((mac) => timingSafeEqual(mac, expected));
  });
  if (!matches) return 'mismatch';
  if (Math.abs(input.nowMs - Number(input.timestamp)) > input.windowMs) return 'stale';
  return 'valid';
}
