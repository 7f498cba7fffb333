import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkEventValue } from '../event-value-guard.js';
import { refusedSample } from '../refused-sample.js';
import { DecodedBytesBudget } from '../decoded-bytes-budget.js';

const limits = { depthMax: 8, eventBytesMax: 1024 };
const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

describe('checkEventValue', () => {
  it('passes an ordinary event and counts at least its JSON bytes', () => {
    const event = { id: 'e1', type: 'Product Viewed', properties: { price: 4.5, tags: ['a', 'b'] } };
    const verdict = checkEventValue(event, limits);
    expect(verdict.status).toBe('ok');
    expect(verdict.bytesAtLeast).toBeLessThanOrEqual(JSON.stringify(event).length);
  });

  it('passes null values (analytics.js sends userId: null for an anonymous visitor)', () => {
    expect(checkEventValue({ id: 'e1', type: 'Page Viewed', userId: null, properties: { list: [null, 1] } }, limits).status).toBe('ok');
  });

  it('refuses nesting past depthMax without recursion, even 100,000 deep', () => {
    expect(checkEventValue({ p: nested(6) }, limits).status).toBe('ok');
    expect(checkEventValue({ p: nested(8) }, limits)).toMatchObject({ status: 'reject', code: 'COLLECTOR_LIMIT_EVENT_DEPTH' });
    expect(checkEventValue(nested(100_000), limits)).toMatchObject({ status: 'reject', code: 'COLLECTOR_LIMIT_EVENT_DEPTH' });
  });

  it('refuses a large event early, top-level strings included, naming the limit', () => {
    const huge = '\u0000'.repeat(7 * 1024 * 1024);
    expect(checkEventValue({ id: 'x', note: huge }, limits)).toMatchObject({ status: 'reject', code: 'COLLECTOR_LIMIT_EVENT_BYTES', message: expect.stringContaining('1024-byte') });
    expect(checkEventValue(huge, limits)).toMatchObject({ status: 'reject', code: 'COLLECTOR_LIMIT_EVENT_BYTES' });
    expect(checkEventValue({ many: Array(2000).fill(0) }, limits)).toMatchObject({ status: 'reject', code: 'COLLECTOR_LIMIT_EVENT_BYTES' });
  });

  it('refuses values JSON cannot carry, naming where they are', () => {
    expect(checkEventValue({ properties: { n: 2n ** 63n } }, limits)).toMatchObject({ status: 'reject', code: 'COLLECTOR_EVENT_VALUE_INVALID', message: expect.stringContaining('properties.n') });
    expect(checkEventValue({ list: [1, Number.NaN] }, limits)).toMatchObject({ status: 'reject', code: 'COLLECTOR_EVENT_VALUE_INVALID', message: expect.stringContaining('list[1]') });
    expect(checkEventValue({ t: new Date(Number.NaN) }, limits)).toMatchObject({ status: 'reject', code: 'COLLECTOR_EVENT_VALUE_INVALID' });
    expect(checkEventValue({ b: new Uint8Array(3) }, limits)).toMatchObject({ status: 'reject', code: 'COLLECTOR_EVENT_VALUE_INVALID' });
  });

  it('renames a JSON __proto__ key to __proto_, as the msgpack decoder does, without touching the prototype', () => {
    const event = JSON.parse('{"id":"e","properties":{"__proto__":{"admin":true}}}') as { properties: Record<string, unknown> };
    expect(checkEventValue(event, limits).status).toBe('ok');
    expect(Object.keys(event.properties)).toEqual(['__proto_']);
    expect(event.properties.__proto_).toEqual({ admin: true });
    expect(Object.getPrototypeOf(event.properties)).toBe(Object.prototype);
    expect(({} as { admin?: boolean }).admin).toBeUndefined();
    // With a `__proto_` sibling, the later key wins, as the msgpack decoder assigns them in order.
    const laterWins = JSON.parse('{"__proto__":1,"__proto_":2}') as Record<string, unknown>;
    expect(checkEventValue(laterWins, limits).status).toBe('ok');
    expect({ ...laterWins }).toEqual({ __proto_: 2 });
    const earlierLoses = JSON.parse('{"__proto_":1,"__proto__":2}') as Record<string, unknown>;
    expect(checkEventValue(earlierLoses, limits).status).toBe('ok');
    expect({ ...earlierLoses }).toEqual({ __proto_: 2 });
  });
});

describe('refusedSample', () => {
  it('keeps a bounded, serialisable sample with size and a content hash, whatever the value', () => {
    const bomb = { id: 'e-1', type: 'Cart Viewed', note: '\u0000'.repeat(7 * 1024 * 1024), deep: nested(50_000), big: 2n ** 70n };
    const sample = refusedSample(bomb, 7 * 1024 * 1024);
    const json = JSON.stringify(sample);
    expect(json.length).toBeLessThan(4096);
    expect(sample).toMatchObject({ id: 'e-1', type: 'Cart Viewed', bytesAtLeast: 7 * 1024 * 1024, truncated: true });
    expect(sample.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(refusedSample({ ...bomb }, 1).sha256).toBe(sample.sha256);
    expect(refusedSample({ ...bomb, id: 'e-2' }, 1).sha256).not.toBe(sample.sha256);
  });

  it('hashes the type-tagged walk in order, across many hash blocks (values before keys in objects)', () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const count = 300_000; // ~3 MB of walk text: dozens of 64 K-character blocks
    expect(refusedSample(new Array(count).fill(0), 1).sha256).toBe(sha(`array:${count}\u0000${'number:0\u0000'.repeat(count)}`));
    expect(refusedSample({ a: ['x', null], b: true }, 1).sha256).toBe(
      sha('object:2\u0000array:2\u0000string:x\u0000object:null\u0000string:a\u0000boolean:true\u0000string:b\u0000'),
    );
  });
});

describe('DecodedBytesBudget', () => {
  it('refuses past the budget, lets one oversize reservation through alone, and wakes waiters in order', async () => {
    const budget = new DecodedBytesBudget(100);
    const a = budget.tryTake(60)!;
    expect(budget.tryTake(50)).toBeUndefined();
    const order: string[] = [];
    const b = budget.take(50).then((release) => (order.push('b'), release));
    const c = budget.take(500).then((release) => (order.push('c'), release));
    a();
    (await b)();
    (await c)();
    expect(order).toEqual(['b', 'c']);
    expect(budget.heldBytes).toBe(0);
  });
});
