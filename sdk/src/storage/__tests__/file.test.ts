import { appendFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEnvelope } from '@shopstream/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileStorage } from '../file.js';
import type { StoredBatch } from '../storage.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sdk-file-queue-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function batch(n: number, events = 3, padding = 0): StoredBatch {
  const list: EventEnvelope[] = Array.from({ length: events }, (_, i) => ({
    id: `e-${n}-${i}`,
    type: 'Product Viewed',
    timestamp: '2026-11-23T10:00:00.000Z',
    properties: { product_id: `p${i}`, ...(padding ? { padding: 'x'.repeat(padding) } : {}) },
  }));
  return { id: `b-${n}`, events: list, bytes: 100 * events };
}

const segments = async () => (await readdir(dir)).filter((name) => name.startsWith('seg-')).sort();

describe('file queue', () => {
  it('keeps batches across a restart until acked, oldest first', async () => {
    const first = createFileStorage({ dir });
    await first.append([batch(1), batch(2)]);
    await first.append([batch(3)]);
    await first.ack(['b-2']);
    expect((await first.peek(10)).map((b) => b.id)).toEqual(['b-1', 'b-3']);
    await first.close();

    const second = createFileStorage({ dir });
    await second.ready;
    expect(second.recovery()).toEqual({ batches: 2, tornBytes: 0 });
    const peeked = await second.peek(10);
    expect(peeked.map((b) => b.id)).toEqual(['b-1', 'b-3']);
    expect(peeked[0]!.events).toEqual(batch(1).events);
    await second.ack(['b-1', 'b-3']);
    expect(await second.peek(10)).toEqual([]);
    await second.close();
  });

  it('survives a kill -9 (no close) and a torn tail: keeps every complete entry, cuts the rest', async () => {
    const first = createFileStorage({ dir });
    await first.append([batch(1)]);
    await first.append([batch(2)]);
    // Simulate a crash mid-append: half an entry header and payload at the end of the segment.
    const [segment] = await segments();
    await appendFile(join(dir, segment!), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9]));
    // No close(): the process "died". The next one takes over the lock of a dead owner...
    // ...but this test runs in the same process, so the lock is ours and is reused.
    const second = createFileStorage({ dir });
    await second.ready;
    expect(second.recovery()).toEqual({ batches: 2, tornBytes: 11 });
    expect((await second.peek(10)).map((b) => b.id)).toEqual(['b-1', 'b-2']);
    await second.append([batch(3)]);
    await second.close();

    const third = createFileStorage({ dir });
    await third.ready;
    expect(third.recovery()).toEqual({ batches: 3, tornBytes: 0 });
    expect((await third.peek(10)).map((b) => b.id)).toEqual(['b-1', 'b-2', 'b-3']);
    await third.close();
  });

  it('skips an entry that fails its CRC and everything after it in that segment', async () => {
    const first = createFileStorage({ dir });
    await first.append([batch(1)]);
    await first.close();
    const [segment] = await segments();
    const size = (await stat(join(dir, segment!))).size;
    // A flipped byte inside the payload of the only entry.
    const { open } = await import('node:fs/promises');
    const handle = await open(join(dir, segment!), 'r+');
    await handle.write(Buffer.from([0xff]), 0, 1, size - 5);
    await handle.close();
    const second = createFileStorage({ dir });
    await second.ready;
    expect(second.recovery()).toEqual({ batches: 0, tornBytes: size });
    expect(await second.peek(10)).toEqual([]);
    await second.close();
  });

  it('deletes a segment once all its batches are acked, and compacts the ack log', async () => {
    const storage = createFileStorage({ dir, segmentBytesMax: 600, ackLogBytesMax: 64 });
    for (let n = 1; n <= 6; n++) await storage.append([batch(n, 3, 100)]);
    expect((await segments()).length).toBeGreaterThan(2);
    await storage.ack(['b-1', 'b-2', 'b-3', 'b-4', 'b-5']);
    expect(await segments()).toHaveLength(1);
    expect((await stat(join(dir, 'acks.log'))).size).toBeLessThanOrEqual(64);
    await storage.close();
    const reopened = createFileStorage({ dir });
    expect((await reopened.peek(10)).map((b) => b.id)).toEqual(['b-6']);
    await reopened.close();
  });

  it('stays under bytesMax by dropping the oldest batches, and counts the dropped events', async () => {
    const drops: number[] = [];
    const storage = createFileStorage({ dir, bytesMax: 2_000, onDrop: (events) => drops.push(events) });
    for (let n = 1; n <= 10; n++) await storage.append([batch(n, 3, 100)]);
    const left = (await storage.peek(100)).map((b) => b.id);
    expect(left.at(-1)).toBe('b-10');
    expect(left.length).toBeLessThan(10);
    expect(storage.droppedEvents()).toBe((10 - left.length) * 3);
    expect(drops).toHaveLength(1); // reported once per episode; the total is in droppedEvents()
    await storage.close();
  });

  it('keeps the newest batches of a group larger than bytesMax, dropping its oldest', async () => {
    const storage = createFileStorage({ dir, bytesMax: 2_000 });
    await storage.append(Array.from({ length: 10 }, (_, n) => batch(n + 1, 3, 100)));
    const left = (await storage.peek(100)).map((b) => b.id);
    expect(left.length).toBeGreaterThan(0);
    expect(left.at(-1)).toBe('b-10');
    expect(storage.droppedEvents()).toBe((10 - left.length) * 3);
    await storage.close();
  });

  it('refuses a second live process on the same directory', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'LOCK'), String(process.ppid));
    const storage = createFileStorage({ dir });
    await expect(storage.ready).rejects.toMatchObject({ code: 'SDK_STORAGE_FAILED', message: expect.stringContaining('in use by process') });
  });

  it('takes over a lock whose pid is alive but was written by an earlier process (another boot or start time)', async () => {
    const { readFile, writeFile } = await import('node:fs/promises');
    // Our parent is alive; the lock names it with a start time it never had: the pid was reused.
    await writeFile(join(dir, 'LOCK'), `${process.ppid} - 1\n`);
    const storage = createFileStorage({ dir });
    await storage.ready;
    expect((await readFile(join(dir, 'LOCK'), 'utf8')).split(' ')[0]).toBe(String(process.pid));
    await storage.close();
  });
});
