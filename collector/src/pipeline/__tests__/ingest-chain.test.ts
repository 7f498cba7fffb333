import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createOpener, createSealer, crc32c, encodeFrame, generateSealingKeyPair, identityCodec, jsonEncoding, msgpackEncoding, type EventEnvelope } from '@shopstream/shared';
import { gzipZlibCodec, lz4Codec } from '@shopstream/shared/node';
import type { SinkRecord } from '../../sinks/sink.js';
import { encodeIngestRecord, type ContentKind } from '../ingest-record.js';
import { createProcessor, type Processor } from '../processor.js';
import type { ChainOptions } from '../chain/build-chain.js';
import { processed, testChain } from './chain-helpers.js';
import { buildSchemaRegistry } from '../schema/registry.js';
import { defaultCatalogDir, loadSchemaFolder } from '../schema/load-schema-folder.js';
import { createMemoryDeduper } from '../dedupe/memory.js';
import { createFieldCipher } from '../pii/field-cipher.js';
import type { IngestCounts } from '../ingest-observer.js';

const registry = buildSchemaRegistry(await loadSchemaFolder(defaultCatalogDir()));
const cipher = createFieldCipher({ hashKey: randomBytes(32), encryptKey: { keyId: 'k1', key: randomBytes(32) } });
const at = '2026-11-23T10:00:00.000Z';
let idCounter = 0;
const nextId = () => `0190a0b0-0000-7000-8000-${String(++idCounter).padStart(12, '0')}`;
const order = (id = nextId(), extra: Record<string, unknown> = {}): EventEnvelope => ({
  id, type: 'Order Completed', timestamp: at, properties: { order_id: 'o1', total: 10, email: 'Ada@Example.com', ...extra },
});

function build(options: Partial<ChainOptions> = {}, opener?: ReturnType<typeof createOpener>) {
  const counts: IngestCounts[] = [];
  const processor = createProcessor(testChain({
    decodedBytesMax: 64 * 1024, eventsPerBatchMax: 100, eventValue: { depthMax: 32, eventBytesMax: 4096 }, ...(opener ? { opener } : {}),
    registry: () => registry, deduper: createMemoryDeduper(), nodeId: 'node-1', cipher,
    observer: { eventsProcessed: (_source, c) => counts.push(c) }, ...options,
  }));
  return { processor, counts };
}

async function run(processor: Processor, lsn: number, body: Uint8Array, contentKind: ContentKind = 'frame') {
  const data = encodeIngestRecord({ v: 1, source: 'web', receivedAtMs: Date.parse(at), requestId: `r${lsn}`, contentKind, body });
  const { records } = processed(await processor.process({ lsn, nextLsn: lsn + data.length + 12, data }));
  const zone = (name: SinkRecord['zone']) => records.filter((r) => r.zone === name).map((r) => JSON.parse(r.json));
  return { records, raw: zone('raw'), clean: zone('clean'), failed: zone('failed'), audit: zone('audit')[0] };
}

const frame = (events: unknown[], codec = lz4Codec) => encodeFrame(events as EventEnvelope[], { codec, encoding: msgpackEncoding });

describe('ingest chain inside the processor', () => {
  it('sends schema violations to failed with ajv text while the good events of the batch land in clean', async () => {
    const { processor, counts } = build();
    const good = order();
    const bad = order(undefined, { total: 'ten' });
    const out = await run(processor, 0, await frame([good, bad]));
    expect(out.clean.map((e) => e.id)).toEqual([good.id]);
    expect(out.failed).toHaveLength(1);
    expect(out.failed[0].reason).toEqual({
      code: 'COLLECTOR_SCHEMA_INVALID', stage: 'validate',
      message: 'does not match schema "Order Completed"@1.1.0: event/properties/total must be number',
    });
    expect(out.raw.map((e) => e.id)).toEqual([good.id, bad.id]);
    expect(counts).toEqual([{ accepted: 1, duplicates: 0, possibleDuplicates: 0, rejected: new Map([['COLLECTOR_SCHEMA_INVALID', 1]]) }]);
  });

  it('applies PII in raw, clean and failed alike', async () => {
    const { processor } = build();
    const out = await run(processor, 0, await frame([order(), order(undefined, { total: 'x' })]));
    const all = JSON.stringify([out.raw, out.clean, out.failed]);
    expect(all).not.toContain('Ada@Example.com');
    expect(out.clean[0].properties.email).toBe(cipher.pseudonym('ada@example.com'));
    expect(out.failed[0].item.properties.email).toBe(cipher.pseudonym('ada@example.com'));
  });

  it('drops PII fields when no keys are configured', async () => {
    const { processor } = build({ cipher: undefined });
    const out = await run(processor, 0, await frame([order()]));
    expect(out.clean[0].properties).not.toHaveProperty('email');
  });

  it('dedupes by id: first in WAL order wins, replays and second sink loops get the same answer', async () => {
    const { processor, counts } = build();
    const a = order();
    const b = order();
    const first = await run(processor, 0, await frame([a, b, a]));
    expect(first.clean.map((e) => e.id)).toEqual([a.id, b.id]);
    expect(first.audit.duplicates).toBe(1);
    const retry = await run(processor, 500, await frame([b]));
    expect(retry.clean).toEqual([]);
    expect(retry.raw).toEqual([]);
    expect(retry.audit).toMatchObject({ accepted: 0, duplicates: 1 });
    const replay = await run(processor, 0, await frame([a, b, a]));
    expect(replay.records.map((r) => r.json)).toEqual(first.records.map((r) => r.json));
    expect(counts).toHaveLength(2); // the replay is not counted twice
  });

  it('reports a compression bomb as COLLECTOR_LIMIT_DECODED_BYTES and goes on with the next record', async () => {
    const { processor } = build();
    const bomb = await frame([order(undefined, { padding: 'x'.repeat(200_000) })], gzipZlibCodec);
    expect(bomb.length).toBeLessThan(2000);
    const out = await run(processor, 0, bomb);
    expect(out.failed[0].reason.code).toBe('COLLECTOR_LIMIT_DECODED_BYTES');
    expect(out.failed[0].reason.message).toMatch(/65536-byte limit \(limits\.decodedBytesMax\)/);
    expect((await run(processor, 100, await frame([order()]))).clean).toHaveLength(1);
  });

  it('refuses an event over eventBytesMax by id and size, keeping the rest', async () => {
    const { processor } = build();
    const big = order(undefined, { note: 'y'.repeat(5000) });
    const out = await run(processor, 0, await frame([big, order()], identityCodec));
    expect(out.clean).toHaveLength(1);
    expect(out.failed[0]).toMatchObject({ reason: { code: 'COLLECTOR_LIMIT_EVENT_BYTES' }, item: { id: big.id, type: 'Order Completed', truncated: true } });
    expect(out.failed[0].reason.message).toMatch(/over the 4096-byte per-event limit/);
  });

  it('opens sealed frames of both keys during a rotation; a tampered one fails alone', async () => {
    const oldKey = await generateSealingKeyPair(1);
    const newKey = await generateSealingKeyPair(2);
    const opener = createOpener({ keys: [oldKey, newKey].map((k) => ({ keyId: k.keyId, privateKeyJwk: k.privateKeyJwk })) });
    const { processor } = build({}, opener);
    for (const [lsn, key] of [[0, oldKey], [100, newKey]] as const) {
      const sealed = await encodeFrame([order()], { codec: gzipZlibCodec, encoding: jsonEncoding, sealer: createSealer({ keyId: key.keyId, publicKeyJwk: key.publicKeyJwk }) });
      expect((await run(processor, lsn, sealed)).clean).toHaveLength(1);
    }
    const sealed = await encodeFrame([order()], { codec: gzipZlibCodec, encoding: jsonEncoding, sealer: createSealer({ keyId: 2, publicKeyJwk: newKey.publicKeyJwk }) });
    sealed[sealed.length - 3]! ^= 0xff;
    // CRC would catch it on the ack path; here the record is re-checked after the WAL, so fix the CRC to reach the opener.
    new DataView(sealed.buffer).setUint32(20, crc32c(sealed.subarray(24)), true);
    const out = await run(processor, 200, sealed);
    expect(out.failed[0].reason).toMatchObject({ code: 'SHARED_CRYPTO_TAMPERED', stage: 'decode' });
  });

  it('decodes Segment JSON with the batch context merged and messageId as id', async () => {
    const { processor } = build();
    const body = { context: { ip: '1.2.3.4' }, batch: [{ type: 'track', event: 'Cart Viewed', messageId: 'seg-1', anonymousId: 'a', timestamp: at }] };
    const out = await run(processor, 0, new TextEncoder().encode(JSON.stringify(body)), 'json');
    expect(out.clean).toHaveLength(1);
    expect(out.clean[0]).toMatchObject({ id: 'seg-1', type: 'Cart Viewed', kind: 'track', source: 'web' });
    expect(out.clean[0].context.ip).toBe(cipher.pseudonym('1.2.3.4'));
  });
});
