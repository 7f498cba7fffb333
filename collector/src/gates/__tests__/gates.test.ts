import { describe, expect, it } from 'vitest';
import { createSealer, encodeFrame, generateSealingKeyPair, identityCodec, msgpackEncoding, type EventEnvelope } from '@shopstream/shared';
import { gzipZlibCodec, lz4Codec } from '@shopstream/shared/node';
import type { IngestRequest } from '../ingest-gate.js';
import { signatureGate } from '../signature/signature-gate.js';
import { signRequest } from '../signature/request-signature.js';
import { rateLimitGate } from '../rate-limit/rate-limit-gate.js';
import { createSourceRateLimiter } from '../rate-limit/source-rate-limiter.js';
import { ackLimitsGate } from '../ack-limits-gate.js';
import { sealedKeyGate } from '../sealed-key-gate.js';

const now = 1_790_000_000_000;
// node:http lower-cases incoming header names.
const lower = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
const request = (headers: Record<string, string> = {}, secret?: string): IngestRequest => ({
  requestId: 'r', headers: lower(headers), query: new URLSearchParams(), remoteAddress: '127.0.0.1',
  source: { id: 'srv', writeKey: 'srv-key-1', ...(secret ? { secret } : {}) },
});
const body = new TextEncoder().encode('[{"id":"a","type":"Cart Viewed","timestamp":"2026-11-23T10:00:00Z"}]');
const events = (n: number, pad = 0): EventEnvelope[] => Array.from({ length: n }, (_, i) => ({ id: `e${i}`, type: 'Cart Viewed', timestamp: '2026-11-23T10:00:00Z', properties: { pad: 'x'.repeat(pad) } }));

describe('ack-path gates', () => {
  it('signature gate: unsigned sources pass; signed sources need a fresh matching signature', () => {
    const gate = signatureGate({ nowMs: () => now });
    expect(gate.onBody!(request(), body)).toBeUndefined();
    expect(gate.onBody!(request(signRequest('s3cret-s3cret', body, now - 1000), 's3cret-s3cret'), body)).toBeUndefined();
    expect(gate.onBody!(request({}, 's3cret-s3cret'), body)).toMatchObject({ status: 401, code: 'COLLECTOR_AUTH_BAD_SIGNATURE', message: expect.stringContaining('requires signed requests') });
    expect(gate.onBody!(request(signRequest('wrong', body, now), 's3cret-s3cret'), body)).toMatchObject({ code: 'COLLECTOR_AUTH_BAD_SIGNATURE', message: expect.stringContaining('does not match') });
    expect(gate.onBody!(request(signRequest('s3cret-s3cret', body, now - 301_000), 's3cret-s3cret'), body)).toMatchObject({ status: 401, code: 'COLLECTOR_AUTH_STALE_SIGNATURE', message: expect.stringContaining('300 s') });
  });

  it('rate-limit gate answers 429 with Retry-After seconds', () => {
    let t = 0;
    const gate = rateLimitGate(createSourceRateLimiter(new Map([['srv', { requestsPerSec: 1, burstSec: 1 }]]), () => t));
    const batch = { contentKind: 'frame' as const, eventCount: 1, bytes: 10 };
    expect(gate.onBatch!(request(), batch)).toBeUndefined();
    expect(gate.onBatch!(request(), batch)).toMatchObject({ status: 429, code: 'COLLECTOR_RATE_LIMITED', retryAfterSec: 1, message: 'Source "srv" is over its limit of 1 requests/s; retry after 1 s.' });
    t += 1000;
    expect(gate.onBatch!(request(), batch)).toBeUndefined();
  });

  it('ack-limits gate refuses an lz4 bomb by its declared size and JSON over 500 KB', async () => {
    const gate = ackLimitsGate({ decodedBytesMax: 10_000 });
    expect(gate.onBody!(request(), await encodeFrame(events(1, 20_000), { codec: lz4Codec, encoding: msgpackEncoding }))).toMatchObject({ status: 413, code: 'COLLECTOR_LIMIT_DECODED_BYTES' });
    expect(gate.onBody!(request(), await encodeFrame(events(1, 100), { codec: lz4Codec, encoding: msgpackEncoding }))).toBeUndefined();
    expect(gate.onBody!(request(), await encodeFrame(events(1, 20_000), { codec: gzipZlibCodec, encoding: msgpackEncoding }))).toBeUndefined(); // bounded after the WAL
    expect(gate.onBatch!(request(), { contentKind: 'json', eventCount: 1, bytes: 600_000 })).toMatchObject({ status: 413, code: 'COLLECTOR_LIMIT_BODY_BYTES' });
    expect(gate.onBatch!(request(), { contentKind: 'frame', eventCount: 1, bytes: 600_000 })).toBeUndefined();
  });

  it('sealed-key gate names an unknown key id', async () => {
    const pair = await generateSealingKeyPair(9);
    const sealed = await encodeFrame(events(1), { codec: identityCodec, encoding: msgpackEncoding, sealer: createSealer({ keyId: 9, publicKeyJwk: pair.publicKeyJwk }) });
    expect(sealedKeyGate([9]).onBody!(request(), sealed)).toBeUndefined();
    expect(sealedKeyGate([1, 2]).onBody!(request(), sealed)).toEqual({
      status: 400, code: 'SHARED_CRYPTO_UNKNOWN_KEY',
      message: 'The frame is sealed with key id 9, which this collector does not hold (known key ids: 1, 2); update the SDK\'s public key.',
    });
  });
});
