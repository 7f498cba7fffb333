// One test per bad-input class against a real collector process: the refusal (status, code,
// sentence) or the failed-zone record and its reason, then proof the collector still serves:
// a valid event sent right after lands in clean.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32c, createSealer, encodeFrame, generateSealingKeyPair, msgpackEncoding, type SealingKeyPair } from '@shopstream/shared';
import { gzipZlibCodec } from '@shopstream/shared/node';
import { signRequest } from '../../collector/src/gates/signature/request-signature.js';
import { readLake, startCollectorProcess, type CollectorProcess } from '../support/collector-process.js';
import { PII_CONFIG, cartViewed, expectRefused, expectStillServes, failedById, frame, post, waitInLake } from './ingest-harness.js';

const SECRET = 'srv-secret-0123456789';
let collector: CollectorProcess;
let oldKey: SealingKeyPair;
let newKey: SealingKeyPair;
const sign = (body: Uint8Array) => signRequest(SECRET, body, Date.now());

beforeAll(async () => {
  oldKey = await generateSealingKeyPair(1);
  newKey = await generateSealingKeyPair(2);
  collector = await startCollectorProcess({
    config: {
      sources: [
        { id: 'web', writeKey: 'web-key-1' },
        { id: 'srv', writeKey: 'srv-key-1', secret: SECRET },
        { id: 'lim', writeKey: 'lim-key-1' },
      ],
      limits: { bodyBytesMax: 65_536, decodedBytesMax: 65_536, eventsPerBatchMax: 50 },
      ingest: {
        eventBytesMax: 4096,
        rateLimits: [{ source: 'lim', requestsPerSec: 1, burstSec: 1 }],
        decryption: { keys: [oldKey, newKey].map((k) => ({ keyId: k.keyId, privateKeyJwk: k.privateKeyJwk })) },
        pii: PII_CONFIG,
        dedupe: { store: 'memory' },
      },
    },
  });
});
afterAll(async () => {
  await collector?.cleanup();
});

describe('ack-path refusals', () => {
  it('unknown write key: 401 COLLECTOR_AUTH_UNKNOWN_KEY', async () => {
    await expectRefused(await post(collector.url, await frame([cartViewed()]), 'no-such-key'), 401, 'COLLECTOR_AUTH_UNKNOWN_KEY', /write key is not known/);
    await expectStillServes(collector.url, collector.lakeDir, 'web-key-1');
  });

  it('bad or missing signature on a signed source: 401 COLLECTOR_AUTH_BAD_SIGNATURE', async () => {
    const body = await frame([cartViewed()]);
    await expectRefused(await post(collector.url, body, 'srv-key-1'), 401, 'COLLECTOR_AUTH_BAD_SIGNATURE', /requires signed requests/);
    await expectRefused(await post(collector.url, body, 'srv-key-1', signRequest('not-the-secret', body, Date.now())), 401, 'COLLECTOR_AUTH_BAD_SIGNATURE', /does not match the body/);
    const other = await frame([cartViewed()]);
    await expectRefused(await post(collector.url, other, 'srv-key-1', sign(body)), 401, 'COLLECTOR_AUTH_BAD_SIGNATURE', /does not match the body/);
    await expectStillServes(collector.url, collector.lakeDir, 'srv-key-1', sign);
  });

  it('stale signature (a captured request replayed later): 401 COLLECTOR_AUTH_STALE_SIGNATURE', async () => {
    const body = await frame([cartViewed()]);
    const captured = signRequest(SECRET, body, Date.now() - 6 * 60_000);
    await expectRefused(await post(collector.url, body, 'srv-key-1', captured), 401, 'COLLECTOR_AUTH_STALE_SIGNATURE', /more than 300 s away/);
    await expectStillServes(collector.url, collector.lakeDir, 'srv-key-1', sign);
  });

  it('rate limit: 429 COLLECTOR_RATE_LIMITED with Retry-After, other sources unaffected', async () => {
    let limited: Response | undefined;
    for (let i = 0; i < 5 && !limited; i++) {
      const res = await post(collector.url, await frame([cartViewed()]), 'lim-key-1');
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    expect(limited?.headers.get('retry-after')).toBe('1');
    await expectRefused(limited!, 429, 'COLLECTOR_RATE_LIMITED', /Source "lim" is over its limit of 1 requests\/s; retry after 1 s/);
    await expectStillServes(collector.url, collector.lakeDir, 'web-key-1');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expectStillServes(collector.url, collector.lakeDir, 'lim-key-1');
  });

  it('body too large: 413 COLLECTOR_LIMIT_BODY_BYTES', async () => {
    const big = cartViewed({ properties: { blob: Array.from({ length: 9000 }, (_, i) => `${i}-${Math.random()}`).join() } });
    await expectRefused(await post(collector.url, await frame([big]), 'web-key-1'), 413, 'COLLECTOR_LIMIT_BODY_BYTES', /65536-byte limit \(limits\.bodyBytesMax\)/);
    await expectStillServes(collector.url, collector.lakeDir, 'web-key-1');
  });

  it('compression bombs: 413 on the ack path when the size is declared (lz4, gzip body), failed zone when found while decoding (gzip frame)', async () => {
    const bomb = cartViewed({ properties: { padding: 'x'.repeat(1_000_000) } });
    await expectRefused(await post(collector.url, await frame([bomb]), 'web-key-1'), 413, 'COLLECTOR_LIMIT_DECODED_BYTES', /declares \d+ decoded bytes, over the 65536-byte limit/);
    const gzipBody = gzipSync(JSON.stringify([bomb]));
    expect(gzipBody.length).toBeLessThan(65_536);
    await expectRefused(await post(collector.url, gzipBody, 'web-key-1', { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 413, 'COLLECTOR_LIMIT_DECODED_BYTES', /inflates past the 65536-byte limit/);
    const gzipFrame = await encodeFrame([bomb], { codec: gzipZlibCodec, encoding: msgpackEncoding });
    const res = await post(collector.url, gzipFrame, 'web-key-1');
    const { requestId } = (await res.json()) as { requestId: string };
    expect(res.status).toBe(200);
    await waitInLake(collector.lakeDir, 'failed', [requestId], 'the gzip bomb in the failed zone');
    expect((await failedById(collector.lakeDir)).get(requestId)).toMatchObject({ code: 'COLLECTOR_LIMIT_DECODED_BYTES', stage: 'decode', message: expect.stringMatching(/65536-byte limit \(limits\.decodedBytesMax\)/) });
    await expectStillServes(collector.url, collector.lakeDir, 'web-key-1');
  });

  it('too many events: 413 COLLECTOR_LIMIT_EVENTS_PER_BATCH', async () => {
    const events = Array.from({ length: 51 }, () => cartViewed());
    await expectRefused(await post(collector.url, await frame(events), 'web-key-1'), 413, 'COLLECTOR_LIMIT_EVENTS_PER_BATCH', /51 events, more than the 50-event limit/);
    await expectStillServes(collector.url, collector.lakeDir, 'web-key-1');
  });

  it('sealed with an unknown key id: 400 SHARED_CRYPTO_UNKNOWN_KEY naming it', async () => {
    const stray = await generateSealingKeyPair(7);
    const body = await frame([cartViewed()], createSealer({ keyId: 7, publicKeyJwk: stray.publicKeyJwk }));
    await expectRefused(await post(collector.url, body, 'web-key-1'), 400, 'SHARED_CRYPTO_UNKNOWN_KEY', /sealed with key id 7, which this collector does not hold \(known key ids: 1, 2\)/);
    await expectStillServes(collector.url, collector.lakeDir, 'web-key-1');
  });
});

describe('after-WAL refusals land in the failed zone with their reason', () => {
  it('an event over eventBytesMax fails alone', async () => {
    const big = cartViewed({ properties: { note: 'y'.repeat(5000) } });
    const fine = cartViewed();
    expect((await post(collector.url, await frame([big, fine]), 'web-key-1')).status).toBe(200);
    await waitInLake(collector.lakeDir, 'clean', [fine.id], 'the fine event of the batch');
    await waitInLake(collector.lakeDir, 'failed', [big.id], 'the big event');
    expect((await failedById(collector.lakeDir)).get(big.id)).toEqual({ code: 'COLLECTOR_LIMIT_EVENT_BYTES', stage: 'event-guard', message: expect.stringMatching(/over the 4096-byte per-event limit/) });
    await expectStillServes(collector.url, collector.lakeDir, 'web-key-1');
  });

  it('a schema violation fails with ajv text while the good events of the batch land in clean', async () => {
    const bad = cartViewed({ type: 'Order Completed', properties: { order_id: 'o-9', total: 'ten', currency: 'euro' } });
    const good = [cartViewed(), cartViewed({ type: 'Order Completed', properties: { order_id: 'o-10', total: 10, currency: 'EUR', email: 'Ada@Example.com' } })];
    expect((await post(collector.url, await frame([good[0]!, bad, good[1]!]), 'web-key-1')).status).toBe(200);
    await waitInLake(collector.lakeDir, 'clean', good.map((e) => e.id), 'the good events of the batch');
    await waitInLake(collector.lakeDir, 'failed', [bad.id], 'the invalid event');
    expect((await failedById(collector.lakeDir)).get(bad.id)).toEqual({
      code: 'COLLECTOR_SCHEMA_INVALID',
      stage: 'validate',
      message: 'does not match schema "Order Completed"@1.1.0: event/properties/total must be number; event/properties/currency must match pattern "^[A-Z]{3}$"',
    });
    const clean = (await readLake(collector.lakeDir, 'clean')).find((r) => r.value.id === good[1]!.id)!;
    expect((clean.value.properties as { email: string }).email).toMatch(/^p1_/); // PII hashed before the lake
    expect(JSON.stringify(await readLake(collector.lakeDir, 'raw'))).not.toContain('Ada@Example.com');
    await expectStillServes(collector.url, collector.lakeDir, 'web-key-1');
  });

  it('a tampered sealed payload fails with SHARED_CRYPTO_TAMPERED; frames of the old and the new key both land', async () => {
    const events = [cartViewed(), cartViewed()];
    for (const [i, key] of [oldKey, newKey].entries()) {
      const res = await post(collector.url, await frame([events[i]!], createSealer({ keyId: key.keyId, publicKeyJwk: key.publicKeyJwk })), 'web-key-1');
      expect(res.status).toBe(200);
    }
    await waitInLake(collector.lakeDir, 'clean', events.map((e) => e.id), 'events sealed with the old and the new key');

    const tampered = await frame([cartViewed()], createSealer({ keyId: 2, publicKeyJwk: newKey.publicKeyJwk }));
    tampered[tampered.length - 5]! ^= 0x40;
    new DataView(tampered.buffer).setUint32(20, crc32c(tampered.subarray(24)), true); // a tamperer fixes the CRC too
    const res = await post(collector.url, tampered, 'web-key-1');
    expect(res.status).toBe(200);
    const { requestId } = (await res.json()) as { requestId: string };
    await waitInLake(collector.lakeDir, 'failed', [requestId], 'the tampered frame');
    expect((await failedById(collector.lakeDir)).get(requestId)).toMatchObject({ code: 'SHARED_CRYPTO_TAMPERED', stage: 'decode', message: expect.stringMatching(/failed authentication/) });
    await expectStillServes(collector.url, collector.lakeDir, 'web-key-1');
  });

  it('duplicate ids: every send is answered 200, the event lands once in raw and clean', async () => {
    const event = cartViewed();
    const body = await frame([event, event]);
    for (let i = 0; i < 3; i++) expect((await post(collector.url, body, 'web-key-1')).status).toBe(200);
    await expectStillServes(collector.url, collector.lakeDir, 'web-key-1'); // sent after: once it is in, the duplicates were processed
    const count = async (zone: 'raw' | 'clean') => (await readLake(collector.lakeDir, zone)).filter((r) => r.value.id === event.id).length;
    expect(await count('clean')).toBe(1);
    expect(await count('raw')).toBe(1);
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).toMatch(/shopstream_event_processed_total\{source="web",outcome="duplicate",reason=""\} 5/);
  });

  it('synchronous validation answers per event (X-Shopstream-Validate: sync)', async () => {
    const good = cartViewed();
    const bad = cartViewed({ type: 'Order Completed', properties: { total: 'ten' } });
    const res = await post(collector.url, await frame([good, bad]), 'web-key-1', { 'x-shopstream-validate': 'sync' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { validation: { accepted: number; rejected: number; events: unknown[] } };
    expect(body.validation).toEqual({
      accepted: 1,
      rejected: 1,
      events: [
        { id: good.id, type: 'Cart Viewed', status: 'accepted' },
        { id: bad.id, type: 'Order Completed', status: 'rejected', code: 'COLLECTOR_SCHEMA_INVALID', reason: 'does not match schema "Order Completed"@1.1.0: event/properties/total must be number' },
      ],
    });
    await waitInLake(collector.lakeDir, 'clean', [good.id], 'the accepted event (the batch is WAL-logged as usual)');
  });
});
