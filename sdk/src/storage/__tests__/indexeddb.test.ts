import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { uuidV7, type EventEnvelope } from '@shopstream/shared';
import { createIndexedDbQueue } from '../indexeddb.js';
import type { StoredBatch } from '../storage.js';

let dbCounter = 0;
const freshStore = () => createStore(`shopstream-test-${++dbCounter}`, 'queue');

function record(type = 'Product Viewed', bytes = 100): StoredBatch {
  const event: EventEnvelope = { id: uuidV7(), type, timestamp: new Date().toISOString() };
  return { id: event.id, events: [event], bytes };
}

describe('IndexedDB queue', () => {
  it('keeps records in age order and removes them only on ack', async () => {
    const queue = createIndexedDbQueue({ countMax: 100, bytesMax: 1_000_000 }, freshStore());
    const items = Array.from({ length: 5 }, () => record());
    await queue.append(items);
    expect(((await queue.snapshot(3))[1]).map((b) => b.id)).toEqual(items.slice(0, 3).map((b) => b.id));
    await queue.ack([items[0]!.id, items[1]!.id, 'not-there']);
    expect(((await queue.snapshot(10))[1]).map((b) => b.id)).toEqual(items.slice(2).map((b) => b.id));
    expect((await queue.snapshot(1))[0]).toEqual({ count: 3, bytes: 300, dropped: 0, attempts: 0, notBeforeMs: 0 });
  });

  it('counts a record appended twice once (a spill restored beside its own commit)', async () => {
    const queue = createIndexedDbQueue({ countMax: 100, bytesMax: 1_000_000 }, freshStore());
    const items = [record(), record()];
    await queue.append(items);
    expect(await queue.append([items[1]!, record()])).toEqual({ count: 3, bytes: 300, dropped: 0, attempts: 0, notBeforeMs: 0 });
    expect(((await queue.snapshot(10))[1]).length).toBe(3);
    await queue.ack(items.map((b) => b.id));
    expect((await queue.snapshot(1))[0]).toEqual({ count: 1, bytes: 100, dropped: 0, attempts: 0, notBeforeMs: 0 });
  });

  it('survives a new connection (a reload opens the database again)', async () => {
    const name = `shopstream-test-${++dbCounter}`;
    const first = createIndexedDbQueue({ countMax: 10, bytesMax: 10_000 }, createStore(name, 'queue'));
    const items = [record(), record()];
    await first.append(items);
    const second = createIndexedDbQueue({ countMax: 10, bytesMax: 10_000 }, createStore(name, 'queue'));
    expect(((await second.snapshot(10))[1]).map((b) => b.id)).toEqual(items.map((b) => b.id));
  });

  it('drops the oldest events past the count limit and counts them', async () => {
    const queue = createIndexedDbQueue({ countMax: 3, bytesMax: 1_000_000 }, freshStore());
    const items = Array.from({ length: 5 }, () => record());
    await queue.append(items.slice(0, 2));
    await queue.append(items.slice(2));
    expect(((await queue.snapshot(10))[1]).map((b) => b.id)).toEqual(items.slice(2).map((b) => b.id));
    expect(((await queue.snapshot(1))[0]).dropped).toBe(2);
    await queue.ack([], -2);
    expect(((await queue.snapshot(1))[0]).dropped).toBe(0);
  });

  it('snapshots the state and the oldest records in one transaction, so a dropping append lands before or after both', async () => {
    const queue = createIndexedDbQueue({ countMax: 3, bytesMax: 1_000_000 }, freshStore());
    const items = Array.from({ length: 5 }, () => record());
    await queue.append(items.slice(0, 2));
    // Started together: the snapshot sees either none of the second append or all of it with its drops.
    const [snapshot] = await Promise.all([queue.snapshot(10), queue.append(items.slice(2))]);
    const [state, oldest] = snapshot;
    if (state.dropped === 0) expect(oldest.map((b) => b.id)).toEqual(items.slice(0, 2).map((b) => b.id));
    else expect([state.dropped, oldest.map((b) => b.id)]).toEqual([2, items.slice(2).map((b) => b.id)]);
    expect(state.count).toBe(oldest.length);
  });

  it('drops the oldest events past the byte limit', async () => {
    const queue = createIndexedDbQueue({ countMax: 100, bytesMax: 250 }, freshStore());
    const items = [record('A', 100), record('B', 100), record('C', 100)];
    await queue.append(items);
    expect(((await queue.snapshot(10))[1]).map((b) => b.events[0]!.type)).toEqual(['B', 'C']);
    expect((await queue.snapshot(1))[0]).toEqual({ count: 2, bytes: 200, dropped: 1, attempts: 0, notBeforeMs: 0 });
    expect(((await queue.snapshot(1))[0]).dropped).toBe(1);
  });

  it('keeps meta records out of peek and clears everything on clear', async () => {
    const queue = createIndexedDbQueue({ countMax: 2, bytesMax: 1_000_000 }, freshStore());
    await queue.append([record(), record(), record()]);
    const peeked = (await queue.snapshot(10))[1];
    expect(peeked).toHaveLength(2);
    expect(peeked.every((b) => Array.isArray(b.events))).toBe(true);
    await queue.clear();
    expect((await queue.snapshot(10))[1]).toEqual([]);
    expect(((await queue.snapshot(1))[0]).dropped).toBe(0);
    expect((await queue.snapshot(1))[0]).toEqual({ count: 0, bytes: 0, dropped: 0, attempts: 0, notBeforeMs: 0 });
  });
});
