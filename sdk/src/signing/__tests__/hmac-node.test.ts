import { describe, expect, it } from 'vitest';
import { createSigningTransport, signatureHeaders, signatureHex } from '../hmac-node.js';

// Vector from `printf '1790000000000.{"batch":[]}' | openssl dgst -sha256 -hmac s3cret` (same inputs as the collector's test).
const body = new TextEncoder().encode('{"batch":[]}');
const now = 1_790_000_000_000;
const EXPECTED = '85ee6cbb1720d3d66e230f5be9aab0d7ecafd577f75de8cc64930180176f0f86';

describe('request signing', () => {
  it('signs "<timestamp>.<raw body>" as hex HMAC-SHA256', () => {
    expect(signatureHex('s3cret', now, body)).toMatch(/^[0-9a-f]{64}$/);
    expect(signatureHex('s3cret', now, body)).toBe(EXPECTED);
    expect(signatureHeaders('s3cret', now, body)).toEqual({ 'X-Shopstream-Timestamp': '1790000000000', 'X-Shopstream-Signature': `v1=${EXPECTED}` });
  });

  it('a different body, timestamp or secret gives a different signature', () => {
    const base = signatureHex('s3cret', now, body);
    expect(signatureHex('s3cret', now + 1, body)).not.toBe(base);
    expect(signatureHex('other', now, body)).not.toBe(base);
    expect(signatureHex('s3cret', now, new TextEncoder().encode('{"batch":[1]}'))).not.toBe(base);
  });

  it('signs each send afresh and keeps the other headers', async () => {
    const seen: Array<Record<string, string>> = [];
    let clock = now;
    const transport = createSigningTransport({ send: async (_b, headers) => (seen.push(headers), { status: 'success' }) }, 's3cret', () => clock);
    await transport.send(body, { Authorization: 'Bearer wk' }, 1000);
    clock += 5000;
    await transport.send(body, { Authorization: 'Bearer wk' }, 1000);
    expect(seen[0]).toEqual({ Authorization: 'Bearer wk', ...signatureHeaders('s3cret', now, body) });
    expect(seen[1]!['X-Shopstream-Timestamp']).toBe(String(now + 5000));
  });
});
