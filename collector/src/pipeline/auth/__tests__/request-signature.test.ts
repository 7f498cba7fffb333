import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSignature, signRequest, signatureHex } from '../request-signature.js';

const body = new TextEncoder().encode('{"batch":[]}');
const now = 1_790_000_000_000;
const windowMs = 300_000;

describe('request signatures', () => {
  it('signs "<timestamp>.<raw body>" with HMAC-SHA256 as hex', () => {
    const expected = createHmac('sha256', 's3cret').update(`${now}.{"batch":[]}`).digest('hex');
    expect(signatureHex('s3cret', now, body)).toBe(expected);
    expect(signRequest('s3cret', body, now)).toEqual({ 'X-Shopstream-Timestamp': String(now), 'X-Shopstream-Signature': `v1=${expected}` });
  });

  it('accepts a fresh valid signature, also among several during a secret rotation', () => {
    const headers = signRequest('s3cret', body, now);
    const input = { timestamp: headers['X-Shopstream-Timestamp'], signature: headers['X-Shopstream-Signature'], body, nowMs: now + 1000, windowMs };
    expect(checkSignature('s3cret', input)).toBe('valid');
    expect(checkSignature('s3cret', { ...input, signature: `v1=${'0'.repeat(64)}, ${input.signature}` })).toBe('valid');
  });

  it('tells missing, malformed, mismatching and stale apart', () => {
    const headers = signRequest('s3cret', body, now);
    const input = { timestamp: headers['X-Shopstream-Timestamp'], signature: headers['X-Shopstream-Signature'], body, nowMs: now, windowMs };
    expect(checkSignature('s3cret', { ...input, signature: undefined })).toBe('missing');
    expect(checkSignature('s3cret', { ...input, timestamp: '12e4' })).toBe('malformed');
    expect(checkSignature('s3cret', { ...input, signature: 'v1=zz' })).toBe('malformed');
    expect(checkSignature('other', input)).toBe('mismatch');
    expect(checkSignature('s3cret', { ...input, body: new TextEncoder().encode('{"batch":[1]}') })).toBe('mismatch');
    expect(checkSignature('s3cret', { ...input, nowMs: now + windowMs + 1 })).toBe('stale');
    expect(checkSignature('s3cret', { ...input, nowMs: now - windowMs - 1 })).toBe('stale');
    // A replayed request with a new timestamp but the old signature does not match.
    expect(checkSignature('s3cret', { ...input, timestamp: String(now + windowMs * 2), nowMs: now + windowMs * 2 })).toBe('mismatch');
  });
});
