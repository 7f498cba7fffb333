import { describe, expect, it } from 'vitest';
import { msgpackEncoding, type EventEnvelope } from '@shopstream/shared';
import { checkEventValue } from '../../limits/event-value-guard.js';
import { decodeItemByItem, GUARD_SCAN_PAYLOAD_BYTES_MIN, guardedMsgpackEncoding, holdsUndecodedItems, UndecodedItem } from '../msgpack-item-by-item.js';

const pack = (items: unknown[]) => msgpackEncoding.encode(items as EventEnvelope[]);
const limits = { depthMax: 32, eventBytesMax: 32 * 1024 };
const unbounded = { depthMax: Number.POSITIVE_INFINITY, eventBytesMax: Number.POSITIVE_INFINITY };

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
    expect(decodeItemByItem(bytes, unbounded)).toEqual(msgpackEncoding.decode(bytes));
  });

  it('never counts an item larger than the guard counts it decoded, so it refuses nothing the guard would pass', () => {
    const events = [
      { id: 'e1', type: 'Order Completed', timestamp: new Date(0), properties: { total: 9.5, n: -3, big: 2 ** 40, ok: true, no: false, none: null, tags: ['ä', '€', '😀', ''], nested: { a: [[], {}] } } },
      { a: 'x'.repeat(1000), b: new Array(500).fill(1), c: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key-${i}`, 'v'])) },
    ];
    for (const event of events) {
      const verdict = checkEventValue(msgpackEncoding.decode(pack([event])) as unknown as object, unbounded);
      // Just under the guard's own count: the scan lets the item through to be decoded.
      const justUnder = { depthMax: 32, eventBytesMax: verdict.bytesAtLeast };
      expect(holdsUndecodedItems(decodeItemByItem(pack([event]), justUnder)!)).toBe(true); // the item-by-item path ran ...
      expect(decodeItemByItem(pack([event]), justUnder)![0]).not.toBeInstanceOf(UndecodedItem); // ... and decoded it
    }
  });

  it('a batch holding an item too deep for the decoder: the item is refused undecoded, its neighbours decode', () => {
    const bytes = withDeepItem({ id: 'a', type: 'T' }, 100_000, { id: 'b', type: 'T' });
    expect(() => msgpackEncoding.decode(bytes)).toThrow(RangeError);
    const items = guardedMsgpackEncoding(limits).decode(bytes) as unknown[];
    expect(holdsUndecodedItems(items)).toBe(true);
    expect(items[0]).toEqual({ id: 'a', type: 'T' });
    expect(items[2]).toEqual({ id: 'b', type: 'T' });
    const refused = items[1] as UndecodedItem;
    expect(refused).toBeInstanceOf(UndecodedItem);
    expect(refused.code).toBe('COLLECTOR_LIMIT_EVENT_DEPTH');
    expect(refused.message).toMatch(/100000 levels deep, deeper than 32 levels/);
    expect(refused.sample).toMatchObject({ bytesAtLeast: 100_000, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), truncated: true, sample: expect.stringMatching(/^msgpack 9191/) });
  });

  it('a large payload is scanned first: an item past the size limit is refused without being decoded', () => {
    const bomb = { id: 'bomb', type: 'T', properties: { zeros: new Array(200_000).fill(0) } };
    const bytes = pack([{ id: 'a', type: 'T' }, bomb, { id: 'b', type: 'T' }]);
    expect(bytes.length).toBeGreaterThan(GUARD_SCAN_PAYLOAD_BYTES_MIN);
    const items = guardedMsgpackEncoding(limits).decode(bytes) as unknown[];
    expect(items[0]).toEqual({ id: 'a', type: 'T' });
    expect(items[2]).toEqual({ id: 'b', type: 'T' });
    expect(items[1]).toMatchObject({ code: 'COLLECTOR_LIMIT_EVENT_BYTES', message: expect.stringMatching(/at least 400\d{3} bytes as JSON, over the 32768-byte/) });
    expect((items[1] as UndecodedItem).sample).toMatchObject({ id: 'bomb', type: 'T', bytesAtLeast: expect.any(Number), truncated: true });
    // Within the limits (or under the scan threshold) the batch is decoded in one call, as before.
    const fine = pack(Array.from({ length: 300 }, (_, i) => ({ id: `e${i}`, type: 'T', properties: { note: 'n'.repeat(200) } })));
    expect(fine.length).toBeGreaterThan(GUARD_SCAN_PAYLOAD_BYTES_MIN);
    expect(holdsUndecodedItems(guardedMsgpackEncoding(limits).decode(fine) as unknown[])).toBe(false);
    expect(holdsUndecodedItems(guardedMsgpackEncoding(limits).decode(pack([bomb])) as unknown[])).toBe(true);
  });

  it('leaves the original error when the bytes are no complete msgpack array', () => {
    const bytes = withDeepItem('x', 100_000, 'y');
    expect(decodeItemByItem(bytes.subarray(0, bytes.length - 1), limits)).toBeUndefined();
    expect(decodeItemByItem(Buffer.concat([bytes, Buffer.from([0x01])]), limits)).toBeUndefined();
    expect(decodeItemByItem(Uint8Array.from([0x81, 0xa1, 0x61, 0x01]), limits)).toBeUndefined(); // a map, not an array
    // A large payload that is not exactly one array is refused without the one-call decode, which
    // would build all of it (and serialise it for its error message when bytes trail).
    expect(() => guardedMsgpackEncoding(limits).decode(bytes.subarray(0, bytes.length - 1))).toThrow(/not one array of events/);
    const trailing = Buffer.concat([Buffer.from([0x91, 0xdd, 0x00, 0x80, 0x00, 0x00]), Buffer.alloc(8 * 1024 * 1024), Buffer.from([0xc0])]);
    expect(() => guardedMsgpackEncoding(limits).decode(trailing)).toThrow(/not one array of events/);
  });
});
