import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCursorStore } from '../cursor-store.js';
import { openWal } from '../open-wal.js';
import { faultyFs } from './fault-fs.js';
import { readAll, recordIndex, testRecord, useTempDir } from './helpers.js';

describe('cursors', () => {
  const t = useTempDir();

  it('saves atomically: a leftover temp file is ignored, a save failing before rename keeps the old state', async () => {
    const { fs, faults } = faultyFs();
    const store = await openCursorStore(t.dir, fs);
    expect(await store.load('lake')).toEqual({ committed: 0 });
    await store.save('lake', { committed: 100, inflight: { from: 100, to: 250 } });
    await store.save('s3', { committed: 7 });
    // A crash mid-save leaves a half-written temp file behind.
    await writeFile(join(t.dir, 'cursors', 'kinesis.json.tmp'), '{"committed": 99');
    await writeFile(join(t.dir, 'cursors', 'lake.json.tmp'), '{"comm');
    expect(await store.list()).toEqual(['lake', 's3']);
    expect(await store.load('lake')).toEqual({ committed: 100, inflight: { from: 100, to: 250 } });
    expect(await store.load('kinesis')).toEqual({ committed: 0 });

    faults.renameFails = true;
    await expect(store.save('lake', { committed: 250 })).rejects.toThrow('EIO');
    expect(await store.load('lake')).toEqual({ committed: 100, inflight: { from: 100, to: 250 } });
    faults.renameFails = false;
    await store.save('lake', { committed: 250 });
    const reopened = await openCursorStore(t.dir);
    expect(await reopened.load('lake')).toEqual({ committed: 250 });
    expect(JSON.parse(await readFile(join(t.dir, 'cursors', 'lake.json'), 'utf8'))).toEqual({ committed: 250 });
  });

  it('serialises concurrent saves of one cursor: the last call wins', async () => {
    const store = await openCursorStore(t.dir);
    await Promise.all([...Array(20).keys()].map((i) => store.save('lake', { committed: i * 10 })));
    expect(await store.load('lake')).toEqual({ committed: 190 });
  });

  it('rejects bad names and states with COLLECTOR_WAL_CURSOR_INVALID and a damaged file with COLLECTOR_WAL_CORRUPT', async () => {
    const store = await openCursorStore(t.dir);
    await expect(store.save('../etc', { committed: 1 })).rejects.toMatchObject({ code: 'COLLECTOR_WAL_CURSOR_INVALID', message: expect.stringContaining('1 to 64 characters') });
    await expect(store.save('lake', { committed: 5, inflight: { from: 9, to: 3 } })).rejects.toMatchObject({ code: 'COLLECTOR_WAL_CURSOR_INVALID' });
    await expect(store.save('lake', { committed: -1 })).rejects.toMatchObject({ code: 'COLLECTOR_WAL_CURSOR_INVALID' });
    await writeFile(join(t.dir, 'cursors', 'bad.json'), 'not json');
    await expect(store.load('bad')).rejects.toMatchObject({ code: 'COLLECTOR_WAL_CORRUPT', message: expect.stringContaining('Cursor "bad" is not valid JSON') });
    await store.save('lake', { committed: 5 });
    expect(await store.load('lake')).toEqual({ committed: 5 });
  });
});

describe('retention', () => {
  const t = useTempDir();

  async function fill(wal: Awaited<ReturnType<typeof openWal>>, count: number): Promise<number[]> {
    const lsns: number[] = [];
    for (let i = 0; i < count; i++) lsns.push(...(await wal.append([testRecord(i, 200)])));
    return lsns;
  }
  const segments = async (): Promise<string[]> => (await readdir(t.dir)).filter((name) => name.endsWith('.wal')).sort();

  it('deletes only whole segments below every registered cursor, never the active one', async () => {
    const wal = await openWal({ dir: t.dir, segmentBytesMax: 1024, cursorNames: ['lake', 's3'] });
    const lsns = await fill(wal, 40); // 212-byte records, 4 per segment, 10 segments
    expect(await segments()).toHaveLength(10);

    await wal.cursors.save('lake', { committed: lsns[30]! });
    // s3 never saved: counts as 0, nothing may go.
    expect(await wal.applyRetention()).toEqual({ deletedSegments: 0, deletedBytes: 0 });
    await wal.cursors.save('s3', { committed: lsns[9]!, inflight: { from: lsns[9]!, to: lsns[12]! } });
    // Records 0..8 are below both cursors: segments [0-3] and [4-7] go; [8-11] holds record 9.
    expect(await wal.applyRetention()).toEqual({ deletedSegments: 2, deletedBytes: 2 * 4 * 212 });
    expect(await segments()).toHaveLength(8);
    expect(wal.stats()).toMatchObject({ segmentCount: 8, oldestLsn: lsns[8], bytesOnDisk: 32 * 212 });
    expect((await readAll(wal, lsns[9])).map((r) => recordIndex(r.data))[0]).toBe(9);
    // Reading from a released Lsn starts at the oldest record kept.
    expect((await readAll(wal, 0)).map((r) => recordIndex(r.data))[0]).toBe(8);

    // Even with everything delivered the active segment stays; two releases at once drop each segment once.
    const both = await Promise.all([wal.releaseBefore(Number.MAX_SAFE_INTEGER), wal.applyRetention(), wal.releaseBefore(Number.MAX_SAFE_INTEGER)]);
    expect(both).toEqual([{ deletedSegments: 7, deletedBytes: 7 * 4 * 212 }, { deletedSegments: 0, deletedBytes: 0 }, { deletedSegments: 0, deletedBytes: 0 }]);
    expect(await segments()).toEqual(['00000000000000007632.wal']);
    await wal.append([testRecord(40, 200)]);
    expect((await readAll(wal)).map((r) => recordIndex(r.data))).toEqual([36, 37, 38, 39, 40]);
    await wal.close();

    const reopened = await openWal({ dir: t.dir, segmentBytesMax: 1024 });
    expect(reopened.stats()).toMatchObject({ segmentCount: 2, oldestLsn: 7632 }) // record 40 started a new segment;
    await reopened.close();
  });

  it('keeps delivered segments for retainMs', async () => {
    let nowMs = Date.now();
    const wal = await openWal({ dir: t.dir, segmentBytesMax: 1024, retainMs: 60_000, nowMs: () => nowMs });
    await fill(wal, 12);
    expect(await wal.releaseBefore(Number.MAX_SAFE_INTEGER)).toEqual({ deletedSegments: 0, deletedBytes: 0 });
    nowMs += 61_000;
    expect(await wal.releaseBefore(Number.MAX_SAFE_INTEGER)).toMatchObject({ deletedSegments: 2 });
    expect(await segments()).toHaveLength(1);
    await wal.close();
  });

  it('lets delivered segments go before retainMs while the log is larger than retainBytesMax', async () => {
    const wal = await openWal({ dir: t.dir, segmentBytesMax: 1024, retainMs: 60_000, retainBytesMax: 1700 }); // 3 segments of 848 bytes
    await fill(wal, 12);
    const before = wal.stats();
    expect(before.segmentCount).toBe(3);
    // Oldest first, only until the log fits: the newest delivered segment is still kept.
    const released = await wal.releaseBefore(Number.MAX_SAFE_INTEGER);
    expect(released.deletedSegments).toBe(1);
    expect(wal.stats().bytesOnDisk).toBeLessThanOrEqual(1700);
    expect(before.bytesOnDisk - released.deletedBytes).toBe(wal.stats().bytesOnDisk);
    expect(await wal.releaseBefore(Number.MAX_SAFE_INTEGER)).toEqual({ deletedSegments: 0, deletedBytes: 0 });
    await wal.close();
  });
});
