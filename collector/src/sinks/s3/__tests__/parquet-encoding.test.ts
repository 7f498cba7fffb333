import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parquetReadObjects } from 'hyparquet';
import type { SinkRecord } from '../../sink.js';
import { encodeParquet, envelopeRow } from '../parquet-encoding.js';

describe('Parquet encoding of envelopes', () => {
  it('types envelope fields, keeps objects as JSON, and puts anything else in `extra` instead of dropping it', () => {
    expect(envelopeRow(JSON.stringify({ id: 'a', type: 'Cart Viewed', timestamp: '2026-11-23T09:00:00.000Z', properties: { n: 1 }, schema: { name: 'Cart Viewed', version: '1.0.0' } }))).toEqual({
      id: 'a', type: 'Cart Viewed', timestamp: new Date('2026-11-23T09:00:00.000Z'), properties: '{"n":1}', schemaName: 'Cart Viewed', schemaVersion: '1.0.0',
    });
    expect(envelopeRow(JSON.stringify({ id: 7, timestamp: 'yesterday', error: { code: 'X' } }))).toEqual({ extra: '{"id":7,"timestamp":"yesterday","error":{"code":"X"}}' });
    expect(envelopeRow('[1,2]')).toEqual({ extra: '[1,2]' });
    expect(envelopeRow('not json')).toEqual({ extra: 'not json' });
  });

  it('writes a file hyparquet reads back, with gzip compression too', async () => {
    const record = (i: number): SinkRecord => ({ lsn: i, index: 0, zone: 'failed', source: 'web', eventType: 'request', receivedAtMs: 0, json: JSON.stringify({ id: `id-${i}`, type: 'request', sentAt: '2026-11-23T09:00:00.000Z', reason: 'bad' }) });
    const bytes = await encodeParquet([record(1), record(2)], 'GZIP');
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    // hyparquet reads Snappy itself; Parquet's GZIP codec is plain gzip, so node:zlib decodes it.
    const rows = await parquetReadObjects({ file, columns: ['id', 'sentAt', 'extra'], compressors: { GZIP: (input: Uint8Array) => gunzipSync(input) } });
    expect(rows).toEqual([
      { id: 'id-1', sentAt: new Date('2026-11-23T09:00:00.000Z'), extra: '{"reason":"bad"}' },
      { id: 'id-2', sentAt: new Date('2026-11-23T09:00:00.000Z'), extra: '{"reason":"bad"}' },
    ]);
  });
});
