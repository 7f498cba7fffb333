import { describe, expect, it } from 'vitest';
import { msgpackEncoding, type EventEnvelope } from '@shopstream/shared';
import { decodeItemByItem, holdsUndecodedItems, MSGPACK_ITEM_DEPTH_DECODE_MAX, msgpackItemByItemEncoding, UndecodedItem } from '../msgpack-item-by-item.js';

const pack = (items: unknown[]) => msgpackEncoding.encode(items as EventEnvelope[]);

/** msgpack of `[before, <depth nested one-element arrays>, after]`, written by hand (msgpackr's packer recurses). */
function withDeepItem(before: unknown, depth: number, after: unknown): Uint8Array {
  const head = Buffer.from(pack([before, 'DEEP', after]));
  const marker = Buffer.from([0xa4, ...Buffer.from('DEEP')]);
  const at = head.indexOf(marker);
  const nested = Buffer.alloc(depth, 0x91);
  nested[depth - 1] = 0x90;
  return Buffer.concat([head.subarray(0, at), nested, head.subarray(at + marker.length)]);
}

describe('msgpack item by item', () => {
  it('finds every item of every msgpack type the shared encoding writes, and decodes them as the one-call decode does', () => {
    const ints = [0, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32, 2 ** 40, -1, -32, -33, -128, -129, -32_768, -32_769, -(2 ** 31) - 1, -(2 ** 40)];
    const strings = [0, 31, 32, 255, 256, 65_535, 65_536].map((n) => 'é'.repeat(Math.ceil(n / 2)).slice(0, n));
    const binaries = [0, 255, 256, 65_536].map((n) => new Uint8Array(n).fill(7));
    const wide = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
    const items = [
      ...ints, ...strings, ...binaries, 1.5, Math.fround(0.25), null, true, false,
      2n ** 63n, -(2n ** 62n), new Date('2026-12-05T18:00:00.123Z'), new Date(0),
      [], {}, Array.from({ length: 20 }, (_, i) => i), new Array(70_000).fill(0), wide,
      { id: 'e1', type: 'Order Completed', properties: { products: [{ sku: 'a', price: 9.5, tags: ['x', { y: [null] }] }] } },
    ];
    const bytes = pack(items);
    expect(decodeItemByItem(bytes)).toEqual(msgpackEncoding.decode(bytes));
  });

  it('a batch holding an item too deep for the decoder: the item is refused, its neighbours decode', () => {
    const bytes = withDeepItem({ id: 'a', type: 'T' }, 100_000, { id: 'b', type: 'T' });
    expect(() => msgpackEncoding.decode(bytes)).toThrow(RangeError);
    const items = msgpackItemByItemEncoding.decode(bytes) as unknown[];
    expect(holdsUndecodedItems(items)).toBe(true);
    expect(items[0]).toEqual({ id: 'a', type: 'T' });
    expect(items[2]).toEqual({ id: 'b', type: 'T' });
    const refused = items[1] as UndecodedItem;
    expect(refused).toBeInstanceOf(UndecodedItem);
    expect(refused.code).toBe('COLLECTOR_LIMIT_EVENT_DEPTH');
    expect(refused.message).toMatch(/100000 levels deep/);
    expect(refused.sample).toMatchObject({ bytesAtLeast: 100_000, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), truncated: true, sample: expect.stringMatching(/^msgpack 9191/) });
  });

  it('counts depth as the guard does and decodes items up to the limit', () => {
    const bytes = withDeepItem('x', MSGPACK_ITEM_DEPTH_DECODE_MAX, 'y');
    const items = decodeItemByItem(bytes)!;
    expect(items[1]).not.toBeInstanceOf(UndecodedItem);
    expect(decodeItemByItem(withDeepItem('x', MSGPACK_ITEM_DEPTH_DECODE_MAX + 1, 'y'))![1]).toBeInstanceOf(UndecodedItem);
    expect(holdsUndecodedItems(msgpackItemByItemEncoding.decode(pack([1, 2])) as unknown[])).toBe(false);
  });

  it('leaves the original error when the bytes are no complete msgpack array', () => {
    const bytes = withDeepItem('x', 100_000, 'y');
    expect(decodeItemByItem(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
    expect(decodeItemByItem(Buffer.concat([bytes, Buffer.from([0x01])]))).toBeUndefined();
    expect(decodeItemByItem(Uint8Array.from([0x81, 0xa1, 0x61, 0x01]))).toBeUndefined(); // a map, not an array
    expect(() => msgpackItemByItemEncoding.decode(bytes.subarray(0, bytes.length - 1))).toThrow(RangeError);
  });
});
