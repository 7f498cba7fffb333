import { encodeFrame, msgpackEncoding } from '@shopstream/shared';
import { lz4Codec } from '@shopstream/shared/node';
import { describe, expect, it } from 'vitest';
import { encodeIngestRecord, type IngestRecord } from '../ingest-record.js';
import { createProcessor, type Stage } from '../processor.js';
import { OK } from '../chain/stage.js';
import { processed, testChain } from './chain-helpers.js';

const stages = testChain({ eventsPerBatchMax: 100 });
const receivedAtMs = Date.parse('2026-11-23T09:30:00Z');
const walRecord = (ingest: Omit<IngestRecord, 'v' | 'source' | 'receivedAtMs' | 'requestId'>, lsn = 4096) => {
  const data = encodeIngestRecord({ v: 1, source: 'web', receivedAtMs, requestId: 'req-1', ...ingest });
  return { lsn, nextLsn: lsn + 12 + data.length, data };
};
const envelope = { id: '0190f5a8-3c3b-7cc1-8e2a-5b1d2f3a4b5c', type: 'Product Viewed', timestamp: '2026-11-23T09:00:00.000Z', source: 'spoofed', properties: { price: 4.5 } };

describe('processor', () => {
  it('decodes a frame, stamps source and receivedAt, emits raw + clean + one audit record', async () => {
    const body = await encodeFrame([envelope], { codec: lz4Codec, encoding: msgpackEncoding });
    const out = processed(await createProcessor(stages).process(walRecord({ contentKind: 'frame', body })));
    expect(out.receivedAtMs).toBe(receivedAtMs);
    expect(out.records.map((r) => [r.zone, r.index, r.eventType])).toEqual([['raw', 0, 'Product Viewed'], ['clean', 1, 'Product Viewed'], ['audit', 2, 'request']]);
    expect(JSON.parse(out.records[1]!.json)).toEqual({ ...envelope, source: 'web', receivedAt: '2026-11-23T09:30:00.000Z' });
    expect(JSON.parse(out.records[2]!.json)).toMatchObject({ requestId: 'req-1', source: 'web', lsn: 4096, contentKind: 'frame', accepted: 1, rejected: 0, duplicates: 0 });
    expect(out.records[1]).toMatchObject({ lsn: 4096, source: 'web', eventId: envelope.id, receivedAtMs });
  });

  it('maps Segment-style JSON calls onto the envelope and rejects items that are no event', async () => {
    const body = Buffer.from(JSON.stringify({ batch: [{ type: 'track', event: 'Order Completed', messageId: 'm-1' }, { type: 'page', name: 'Home', messageId: 'm-2' }, 42] }));
    const out = processed(await createProcessor(stages).process(walRecord({ contentKind: 'json', body })));
    const clean = out.records.filter((r) => r.zone === 'clean').map((r) => JSON.parse(r.json));
    expect(clean).toMatchObject([{ id: 'm-1', type: 'Order Completed', kind: 'track' }, { id: 'm-2', type: 'Page Viewed', kind: 'page', properties: { name: 'Home' } }]);
    expect(clean[0]).not.toHaveProperty('messageId');
    const failed = out.records.filter((r) => r.zone === 'failed').map((r) => JSON.parse(r.json));
    expect(failed).toMatchObject([{ reason: { code: 'COLLECTOR_NOT_AN_EVENT', message: 'item is not a JSON object', stage: 'stamp' }, item: 42 }]);
  });

  it('turns an undecodable batch into one failed record with the reason, plus the audit record', async () => {
    const body = Buffer.from(await encodeFrame([envelope], { codec: lz4Codec, encoding: msgpackEncoding }));
    body[body.length - 1]! ^= 0xff; // the WAL holds what was acknowledged; here a corrupted copy
    const out = processed(await createProcessor(stages).process(walRecord({ contentKind: 'frame', body })));
    expect(out.records.map((r) => r.zone)).toEqual(['failed', 'audit']);
    expect(JSON.parse(out.records[0]!.json)).toMatchObject({ reason: { code: 'SHARED_FRAME_CRC_MISMATCH', stage: 'decode' }, requestId: 'req-1' });
    expect(JSON.parse(out.records[1]!.json)).toMatchObject({ accepted: 0, rejected: 1 });
  });

  it('runs the stages it is given, in order; a stage asking to retry makes the outcome a retry, not a failed batch', async () => {
    const dropAll: Stage = { name: 'validate', run: (batch) => ((batch.events = []), OK) };
    const chain = [...stages, dropAll];
    expect(chain.map((s) => s.name)).toEqual(['decode', 'event-guard', 'stamp', 'validate']);
    const body = Buffer.from(JSON.stringify([envelope]));
    const out = processed(await createProcessor(chain).process(walRecord({ contentKind: 'json', body })));
    expect(out.records.map((r) => r.zone)).toEqual(['raw', 'audit']);
    const down: Stage = { name: 'dedupe', run: () => ({ status: 'retry', error: new Error('redis down') }) };
    expect(await createProcessor([...stages, down]).process(walRecord({ contentKind: 'json', body }))).toMatchObject({ status: 'retry', stage: 'dedupe', error: { message: 'redis down' } });
    const buggy: Stage = { name: 'buggy', run: () => { throw new TypeError('oops'); } };
    const failed = processed(await createProcessor([...stages, buggy]).process(walRecord({ contentKind: 'json', body })));
    expect(failed.records.map((r) => r.zone)).toEqual(['failed', 'audit']);
    expect(JSON.parse(failed.records[0]!.json)).toMatchObject({ reason: { code: 'COLLECTOR_INTERNAL', stage: 'buggy' } });
    expect(() => createProcessor([...stages, stages[0]!])).toThrow(/names a stage twice/);
  });

  it('is deterministic: the same WAL record gives identical records (replays name the same files)', async () => {
    const body = await encodeFrame([envelope, { ...envelope, id: '0190f5a8-3c3b-7cc1-8e2a-5b1d2f3a4b5d' }], { codec: lz4Codec, encoding: msgpackEncoding });
    const record = walRecord({ contentKind: 'frame', body });
    const processor = createProcessor(stages);
    expect(await processor.process(record)).toEqual(await processor.process(record));
  });
});
