import { checkFrame, createOpener, createSealer, decodeFramePayload, generateSealingKeyPair, msgpackEncoding, type EventEnvelope } from '@shopstream/shared';
import { lz4Codec } from '@shopstream/shared/node';
import { describe, expect, it } from 'vitest';
import { signatureHex } from '../../../signing/hmac-node.js';
import type { Transport } from '../../../transport/transport.js';
import { createClient } from '../index.js';

function capture() {
  const sent: Array<{ body: Uint8Array; headers: Record<string, string> }> = [];
  const transport: Transport = { send: async (body, headers) => (sent.push({ body, headers }), { status: 'success' }) };
  return { transport, sent };
}

describe('node client wiring', () => {
  it('frames lz4 + msgpack, sealed to the collector key, and signs the exact bytes sent', async () => {
    const pair = await generateSealingKeyPair(7);
    const { transport, sent } = capture();
    const client = createClient({
      endpoint: 'http://127.0.0.1:9/v1/batch',
      writeKey: 'wk',
      secret: 's3cret',
      sealer: createSealer({ keyId: 7, publicKeyJwk: pair.publicKeyJwk }),
      transport,
      now: () => 1_790_000_000_000,
    });
    await client.track('Order Completed', { order_id: 'o-1' }, { userId: 'u-1' });
    await client.close({ deadlineMs: 2000 });
    expect(sent).toHaveLength(1);
    const { body, headers } = sent[0]!;
    const header = checkFrame(body);
    expect(header).toMatchObject({ codec: 1, encoding: 0, sealed: true, keyId: 7, eventCount: 1 });
    expect(headers['X-Shopstream-Signature']).toBe(`v1=${signatureHex('s3cret', 1_790_000_000_000, body)}`);
    const opener = createOpener({ keys: [{ keyId: 7, privateKeyJwk: pair.privateKeyJwk }] });
    const [event] = (await decodeFramePayload(body, header, { codecs: { 1: lz4Codec }, encodings: { 0: msgpackEncoding }, opener, maxDecodedBytes: 1 << 20 })) as EventEnvelope[];
    expect(event).toMatchObject({ type: 'Order Completed', userId: 'u-1', properties: { order_id: 'o-1' }, context: { library: { name: '@shopstream/sdk' } } });
  });
});

describe('node client with a disk queue at its bytesMax', () => {
  it('drops the oldest batches, counts them in stats().dropped and reports SDK_QUEUE_FULL once', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'sdk-node-full-'));
    const errors: Array<{ code?: string; message: string }> = [];
    let up = false;
    const client = createClient({
      endpoint: 'http://127.0.0.1:9/v1/batch',
      writeKey: 'wk',
      queueDir: dir,
      queue: { bytesMax: 20_000 },
      batchEventsMax: 10,
      attemptsMax: 1,
      retryMaxMs: 10,
      transport: { send: async () => (up ? { status: 'success' } : { status: 'retryable', error: new Error('down') }) },
      onError: (error) => errors.push({ code: (error as { code?: string }).code, message: error.message }),
    });
    for (let i = 0; i < 1_000; i++) await client.track('Product Viewed', { product_id: `p-${i}` });
    await client.flushToDisk();
    const full = errors.filter((e) => e.code === 'SDK_QUEUE_FULL');
    expect(full).toHaveLength(1);
    expect(full[0]!.message).toContain('reached its bytesMax');
    const dropped = client.stats().dropped;
    expect(dropped).toBeGreaterThan(500);
    up = true;
    // close() keeps delivering until drained (flush() would return at once: the loop is parked).
    expect(await client.close({ deadlineMs: 5000 })).toEqual({ drained: true, undelivered: 0 });
    expect(client.stats()).toMatchObject({ tracked: 1_000, dropped });
    expect(client.stats().delivered).toBe(1_000 - dropped);
    await rm(dir, { recursive: true, force: true });
  });
});
