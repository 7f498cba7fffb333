/**
 * A follower in another thread reads only what the writer's last snapshot says is durable,
 * wakes waiting readers when a snapshot arrives, follows new and released segments, and owns
 * the cursor files (the writer's retention reads them).
 */
import { afterEach, expect, it } from 'vitest';
import { openWal, type OpenedWal } from '../open-wal.js';
import { openWalFollower } from '../wal-follower.js';
import { useTempDir } from './helpers.js';

const t = useTempDir();
let wal: OpenedWal | undefined;
// Registered after the temp dir's hook, so it runs before the directory is removed.
afterEach(async () => {
  await wal?.close();
  wal = undefined;
});

const record = (i: number) => Buffer.from(`record-${i}-`.padEnd(200, 'x'));
const readAll = async (follower: { read(from: number, countMax: number): AsyncIterable<{ data: Uint8Array; nextLsn: number }> }, from = 0) => {
  const out: string[] = [];
  for await (const r of follower.read(from, 10_000)) out.push(Buffer.from(r.data).toString().split('-').slice(0, 2).join('-'));
  return out;
};

it('reads up to the snapshot it was given, no further, and wakes readers on advance', async () => {
  const dir = t.dir;
  wal = await openWal({ dir, segmentBytesMax: 4096, cursorNames: ['lake'] });
  for (let i = 0; i < 5; i++) await wal.append([record(i)]);
  const follower = await openWalFollower({ dir, segmentBytesMax: 4096, cursorNames: ['lake'] }, wal.snapshot());
  for (let i = 5; i < 40; i++) await wal.append([record(i)]); // durable, but the follower was not told yet
  expect(await readAll(follower)).toEqual(Array.from({ length: 5 }, (_, i) => `record-${i}`));
  expect(follower.stats().endLsn).toBeLessThan(wal.stats().endLsn);

  const woken = follower.waitForAppend(follower.stats().endLsn);
  follower.advance(wal.snapshot()); // spans several 4 KB segments now
  expect(await woken).toBe(true);
  expect(await readAll(follower)).toEqual(Array.from({ length: 40 }, (_, i) => `record-${i}`));
  expect(follower.stats().segmentCount).toBe(wal.stats().segmentCount);
  expect(follower.stats().segmentCount).toBeGreaterThan(2);

  // The follower saves the cursor; the writer's retention reads it and deletes what it passed.
  let afterTwenty = 0;
  for await (const r of follower.read(0, 20)) afterTwenty = r.nextLsn;
  await follower.cursors.save('lake', { committed: afterTwenty });
  const released = await wal.applyRetention();
  expect(released.deletedSegments).toBeGreaterThan(0);
  follower.advance(wal.snapshot());
  const rest = await readAll(follower, 0); // below the oldest segment: starts at the oldest kept
  expect(rest[rest.length - 1]).toBe('record-39');
  expect(rest.length).toBeLessThan(40);
  expect(rest).toContain('record-20');

  const pending = follower.waitForAppend(follower.stats().endLsn);
  follower.close();
  expect(await pending).toBe(false);
});
