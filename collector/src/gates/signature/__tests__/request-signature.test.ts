import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSignature, parseSignatureHeader, signRequest, signatureHex } from '../request-signature.js';

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

  it('rotates with an overlap: several secrets per source, a key id picks one, no id tries each', () => {
    const secrets = [{ id: 'k2', secret: 'new-secret-2026-12' }, { id: 'k1', secret: 'old-secret-2026-06' }];
    const input = (headers: Record<string, string>) => ({ timestamp: headers['X-Shopstream-Timestamp'], signature: headers['X-Shopstream-Signature'], body, nowMs: now, windowMs });
    // During the overlap both keys are accepted, named or not.
    expect(checkSignature(secrets, input(signRequest('old-secret-2026-06', body, now, 'k1')))).toBe('valid');
    expect(checkSignature(secrets, input(signRequest('new-secret-2026-12', body, now, 'k2')))).toBe('valid');
    expect(checkSignature(secrets, input(signRequest('old-secret-2026-06', body, now)))).toBe('valid'); // an older SDK: no kid
    // A key id is checked against its own secret only, and an id the source lacks is told apart.
    expect(checkSignature(secrets, input(signRequest('old-secret-2026-06', body, now, 'k2')))).toBe('mismatch');
    expect(checkSignature(secrets, input(signRequest('old-secret-2026-06', body, now, 'k0')))).toBe('unknown_key');
    // After the old secret is removed, what it signs is refused.
    expect(checkSignature([secrets[0]!], input(signRequest('old-secret-2026-06', body, now)))).toBe('mismatch');
    expect(checkSignature([secrets[0]!], input(signRequest('old-secret-2026-06', body, now, 'k1')))).toBe('unknown_key');
    expect(signRequest('s', body, now, 'k9')['X-Shopstream-Signature']).toMatch(/^kid=k9,v1=[0-9a-f]{64}$/);
  });

  it('parses the header strictly: one key id, 1 to 4 well-formed v1 entries', () => {
    const hex = 'a'.repeat(64);
    expect(parseSignatureHeader(`kid=k1, v1=${hex}`)).toEqual({ keyId: 'k1', signatures: [hex] });
    expect(parseSignatureHeader(`v1=${hex},v1=${hex}`)).toEqual({ signatures: [hex, hex] });
    expect(parseSignatureHeader(`kid=k1,kid=k2,v1=${hex}`)).toBeUndefined();
    expect(parseSignatureHeader(`kid=bad id,v1=${hex}`)).toBeUndefined();
    expect(parseSignatureHeader('kid=k1')).toBeUndefined();
    expect(parseSignatureHeader(Array(5).fill(`v1=${hex}`).join(','))).toBeUndefined();
  });
});
