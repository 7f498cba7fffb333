import { describe, expect, it } from 'vitest';
import { buildLakeCatalog } from '../../lake/lake-catalog.js';
import { lakeRow } from '../../lake/lake-row.js';
import { defaultCatalogDir, loadSchemaFolder } from '../../pipeline/schema/load-schema-folder.js';
import { candidateOf } from '../candidates.js';
import { rowToEvent } from '../row-to-event.js';
import { deadLetterEntry } from '../dead-letter-record.js';

const catalog = buildLakeCatalog((await loadSchemaFolder(defaultCatalogDir())).map((d) => d.schema));
const shaped = (event: Record<string, unknown>) =>
  JSON.parse(lakeRow({ lsn: 4096, index: 3, zone: 'raw', source: 'web', eventType: String(event.type), receivedAtMs: 0, requestId: 'req-1', json: JSON.stringify(event) }, catalog.table('raw', String(event.type)), { defaultKind: 'track' }).line) as Record<string, unknown>;

describe('a lake row back into its event', () => {
  it('puts extra and invalid values back at their paths (list slots too) and drops the lineage columns', () => {
    const event = {
      id: 'e-1', type: 'Order Completed', kind: 'track', source: 'web', timestamp: '2026-12-05T17:00:00.000Z',
      properties: { order_id: 'o1', total: 'ten', seq: 7, products: [{ product_id: 'p1', price: 3 }, { product_id: 'p2', price: 'x', colour: 'red' }] },
      context: { ip: 'p1_token', custom: { a: [1, 2] } },
      unknownTop: { deep: true },
    };
    const row = shaped(event);
    expect(row.invalid).toBeDefined();
    expect(row.extra).toBeDefined();
    expect(rowToEvent(row)).toEqual(event);
  });
});

describe('what a row offers for reprocessing', () => {
  it('takes raw events and refused items, and names what cannot be redriven', () => {
    expect(candidateOf('raw', shaped({ id: 'e-2', type: 'Cart Viewed', source: 'web' }))).toMatchObject({ kind: 'event', source: 'web', id: 'e-2' });
    expect(candidateOf('failed', { source: 'web', reason: { code: 'X' }, item: { id: 'e-3', type: 'T' } })).toMatchObject({ kind: 'event', id: 'e-3' });
    expect(candidateOf('failed', { source: 'web', item: { id: 'e-4', sample: '{…', bytesAtLeast: 9e6, sha256: 'ab', truncated: true } })).toEqual({ kind: 'skip', why: 'sample' });
    expect(candidateOf('failed', { source: 'web', item: 'nope' })).toEqual({ kind: 'skip', why: 'not-an-event' });
    expect(candidateOf('failed', { source: 'web', extra: { bodyBase64: 'AAAA', contentKind: 'frame' } })).toEqual({ kind: 'skip', why: 'whole-request' });
    expect(candidateOf('failed', { source: 'web', deadLetter: { sink: 'kinesis' }, record: {} })).toEqual({ kind: 'skip', why: 'dead-letter' });
    expect(candidateOf('failed', { item: { id: 'e-5' } })).toEqual({ kind: 'skip', why: 'no-source' });
  });
});

describe('a dead-letter row back into the sink record', () => {
  it('keeps the WAL position, zone, source and the record text, and ignores rows that are no dead letter', () => {
    const event = { id: 'e-9', type: 'Cart Viewed', receivedAt: '2026-12-05T10:00:00.000Z', sessionId: 's1', properties: { cart_id: 'c' } };
    const json = `{"deadLetter":{"sink":"stream","code":"X","message":"m"},"zone":"clean","record":${JSON.stringify(event)}}`;
    const row = JSON.parse(lakeRow({ lsn: 77, index: 2, zone: 'failed', source: 'web', eventType: 'Cart Viewed', receivedAtMs: 0, requestId: 'r-1', json }, catalog.table('failed', 'Cart Viewed')).line) as Record<string, unknown>;
    expect(deadLetterEntry(row, 0)).toEqual({
      sink: 'stream',
      record: { lsn: 77, index: 2, zone: 'clean', source: 'web', eventType: 'Cart Viewed', eventId: 'e-9', sessionId: 's1', requestId: 'r-1', receivedAtMs: Date.parse(event.receivedAt), json: JSON.stringify(event) },
    });
    expect(deadLetterEntry({ source: 'web', walLsn: 1, walIndex: 0, reason: { code: 'X' }, item: {} }, 0)).toBeUndefined();
  });
});
