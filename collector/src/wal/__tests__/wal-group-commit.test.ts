import { describe, expect, it, vi } from 'vitest';
import { openWal } from '../open-wal.js';
import type { FsyncInfo } from '../wal.js';
import { faultyFs } from './fault-fs.js';
import { readAll, recordIndex, testRecord, useTempDir } from './helpers.js';

describe('group commit', () => {
  const t = useTempDir();

  it('makes many concurrent appends share far fewer writes and fsyncs, each resolved after its fsync', async () => {
    const { fs, faults } = faultyFs();
    const fsyncs: FsyncInfo[] = [];
    const wal = await openWal({ dir: t.dir, fs, onFsync: (info) => fsyncs.push(info) });
    const writesAtOpen = faults.writes; // the lock file
    const syncsAtOpen = faults.syncs;
    const appends = 300;
    const lsns = await Promise.all([...Array(appends).keys()].map((i) => wal.append([testRecord(i, 200), testRecord(i + 1000, 50)])));

    const stats = wal.stats();
    expect(stats.fsyncCount).toBe(faults.syncs - syncsAtOpen);
    expect(stats.fsyncCount).toBeLessThanOrEqual(appends / 20);
    expect(faults.writes - writesAtOpen).toBe(stats.fsyncCount); // one write per group
    expect(fsyncs.reduce((sum, info) => sum + info.records, 0)).toBe(appends * 2);
    expect(stats.lastFsyncLatencyMs).toBeGreaterThanOrEqual(0);
    expect(stats.appendedRecords).toBe(appends * 2);
    // Lsns follow call order and the records of one append are contiguous.
    const flat = lsns.flat();
    expect([...flat].sort((a, b) => a - b)).toEqual(flat);
    const records = await readAll(wal);
    expect(records.map((r) => recordIndex(r.data))).toEqual([...Array(appends).keys()].flatMap((i) => [i, i + 1000]));
    await wal.close();
  });

  it('bounds a group by groupBytesMax (but always takes one append)', async () => {
    const { fs, faults } = faultyFs();
    const wal = await openWal({ dir: t.dir, fs, groupBytesMax: 1000 });
    await Promise.all([...Array(20).keys()].map((i) => wal.append([testRecord(i, 400)])));
    // 412-byte records, 2 per 1000-byte group (the first group is the lone first append).
    expect(faults.writes).toBeGreaterThanOrEqual(10);
    await wal.append([testRecord(99, 5000)]);
    expect((await readAll(wal)).length).toBe(21);
    await wal.close();
  });

  it('rejects appends past queueBytesMax with COLLECTOR_WAL_OVERLOADED and serves again once drained', async () => {
    const wal = await openWal({ dir: t.dir, queueBytesMax: 2000 });
    const results = await Promise.allSettled([...Array(10).keys()].map((i) => wal.append([testRecord(i, 500)])));
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected[0]).toMatchObject({ reason: { code: 'COLLECTOR_WAL_OVERLOADED', status: 503, message: expect.stringContaining('retry shortly') } });
    await expect(wal.append([testRecord(42)])).resolves.toHaveLength(1);
    const indexes = (await readAll(wal)).map((r) => recordIndex(r.data));
    expect(indexes[indexes.length - 1]).toBe(42);
    expect(indexes.length).toBe(10 - rejected.length + 1);
    await wal.close();
  });

  it('interval mode resolves after write, fsyncs on the timer, and shows readers only synced records', async () => {
    // The interval is driven by the test, so a loaded machine cannot fire it early or twice.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const { fs, faults } = faultyFs();
      const wal = await openWal({ dir: t.dir, fs, fsync: { mode: 'interval', intervalMs: 30 } });
      const visible = wal.waitForAppend(0);
      const [lsn] = await wal.append([testRecord(1)]);
      expect(lsn).toBe(0);
      expect(faults.syncs).toBe(0);
      // Acknowledged but not yet durable: not readable, so no cursor can pass it.
      expect(await readAll(wal)).toEqual([]);
      expect(wal.stats().endLsn).toBe(0);
      vi.advanceTimersByTime(30);
      await expect(visible).resolves.toBe(true); // fires with the interval fsync
      expect(faults.syncs).toBe(1);
      expect((await readAll(wal)).map((r) => recordIndex(r.data))).toEqual([1]);
      expect(wal.stats().fsyncCount).toBe(1);
      vi.advanceTimersByTime(300);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(faults.syncs).toBe(1); // ten more ticks, nothing new: no fsync
      await wal.append([testRecord(2)]);
      await wal.close(); // close syncs what is left
      expect(faults.syncs).toBe(2);
      const reopened = await openWal({ dir: t.dir });
      expect((await readAll(reopened)).map((r) => recordIndex(r.data))).toEqual([1, 2]);
      await reopened.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('interval mode keeps fsyncing (and records keep becoming readable) under appends that never pause', async () => {
    const wal = await openWal({ dir: t.dir, fsync: { mode: 'interval', intervalMs: 20 } });
    let appending = true;
    let appended = 0;
    const writers = Array.from({ length: 8 }, async () => {
      while (appending) {
        await wal.append([testRecord(appended++, 2000)]);
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const during = wal.stats();
    appending = false;
    await Promise.all(writers);
    expect(during.fsyncCount).toBeGreaterThanOrEqual(3);
    expect(during.endLsn).toBeGreaterThan(0);
    await wal.close();
  });
});
