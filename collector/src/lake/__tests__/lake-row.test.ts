import { describe, expect, it } from 'vitest';
import type { SinkRecord } from '../../sinks/sink.js';
import { buildLakeCatalog } from '../lake-catalog.js';
import { loadSchemaFolder, defaultCatalogDir } from '../../pipeline/schema/load-schema-folder.js';
import { lakeRow } from '../lake-row.js';

const catalog = buildLakeCatalog((await loadSchemaFolder(defaultCatalogDir())).map((d) => d.schema));
const rec = (value: unknown, zone: SinkRecord['zone'] = 'raw', eventType = 'Order Completed'): SinkRecord => ({
  lsn: 4096, index: 3, zone, source: 'web-shop', eventType, receivedAtMs: 0, requestId: 'req-1',
  json: typeof value === 'string' ? value : JSON.stringify(value),
});
const row = (record: SinkRecord) => {
  const out = lakeRow(record, catalog.table(record.zone, record.eventType), { defaultKind: catalog.kindOf(record.eventType) ?? 'track' });
  return { ...out, value: JSON.parse(out.line) as Record<string, any> };
};

describe('lake rows', () => {
  it('keeps typed values, moves unknown fields to extra and ill-typed ones to invalid exactly as received', () => {
    const { value, malformed } = row(rec({
      id: 'm-1', type: 'Order Completed', source: 'spoofed', timestamp: '2026-12-05T18:00:00+01:00',
      properties: { order_id: 'o-1', total: 'ten', revenue: 12.5, coupon_count: 2, products: [{ product_id: 'p1', price: 3, quantity: 2 }, { product_id: 'p2', price: 'x', colour: 'red' }, 7] },
      context: { ip: '1.2.3.4', page: { url: 'https://shop.test/' }, device: { id: 'd', vendorThing: true } },
      custom: { a: 1 },
    }));
    expect(malformed).toBeUndefined();
    expect(value).toEqual({
      id: 'm-1', type: 'Order Completed', kind: 'track', source: 'web-shop', timestamp: '2026-12-05T17:00:00.000Z',
      context: { ip: '1.2.3.4', page: { url: 'https://shop.test/' }, device: { id: 'd' } },
      properties: { order_id: 'o-1', revenue: 12.5, products: [{ product_id: 'p1', price: 3, quantity: 2 }, { product_id: 'p2' }, null] },
      requestId: 'req-1', walLsn: 4096, walIndex: 3,
      extra: { properties: { coupon_count: 2, products: { 1: { colour: 'red' } } }, context: { device: { vendorThing: true } }, custom: { a: 1 } },
      invalid: { properties: { total: 'ten', products: { 1: { price: 'x' }, 2: 7 } } },
    });
  });

  it('sets kind from the catalog, keeps an unknown event type\'s properties whole as JSON, and a bad timestamp aside', () => {
    expect(row(rec({ id: 'i', type: 'Identify', traits: { plan: 'pro' } }, 'clean', 'Identify')).value).toMatchObject({ kind: 'identify', traits: { plan: 'pro' } });
    expect(row(rec({ id: 'c', type: 'Gift Wrapped', kind: 'track', timestamp: 'yesterday', properties: { paper: 'red', n: 1 } }, 'clean', 'Gift Wrapped')).value).toMatchObject({
      properties: { paper: 'red', n: 1 }, invalid: { timestamp: 'yesterday' },
    });
  });

  it('keeps a `__proto__` key as data in extra, never as a prototype', () => {
    const { value } = row(rec('{"id":"p","type":"Order Completed","properties":{"__proto__":{"polluted":true}},"__proto__":{"x":1}}'));
    expect(value.extra).toEqual(JSON.parse('{"properties":{"__proto__":{"polluted":true}},"__proto__":{"x":1}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never throws: a record that is no JSON object becomes a row holding its text', () => {
    for (const json of ['not json', '[1,2]', 'null']) {
      const { value, malformed } = row(rec(json));
      expect(malformed).toBeTruthy();
      expect(value).toEqual({ source: 'web-shop', requestId: 'req-1', walLsn: 4096, walIndex: 3, invalid: { record: json } });
    }
  });
});
