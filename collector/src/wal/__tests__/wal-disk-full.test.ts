import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWal } from '../open-wal.js';
import { faultyFs } from './fault-fs.js';
import { readAll, recordIndex, testRecord, useTempDir } from './helpers.js';

describe('failed appends', () => {
  const t = useTempDir();

  it('ENOSPC fails every waiter of the group with COLLECTOR_WAL_DISK_FULL, truncates the partial write, and the log goes on', async () => {
    const { fs, faults } = faultyFs();
    const wal = await openWal({ dir: t.dir, fs });
    await wal.append([testRecord(0)]);
    const end = wal.stats().endLsn;
    const segment = join(t.dir, '00000000000000000000.wal');

    faults.diskFull = true;
    const results = await Promise.allSettled([...Array(6).keys()].map((i) => wal.append([testRecord(100 + i, 300)])));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    for (const result of results) {
      expect(result).toMatchObject({
        reason: { name: 'WalError', code: 'COLLECTOR_WAL_DISK_FULL', status: 503, message: expect.stringContaining('disk holding the write-ahead log is full') },
      });
    }
    // The half-written bytes are gone: the file ends at the last acknowledged record.
    expect((await stat(segment)).size).toBe(end);
    expect(wal.stats().endLsn).toBe(end);
    expect((await readAll(wal)).map((r) => recordIndex(r.data))).toEqual([0]);

    faults.diskFull = false;
    const [lsn] = await wal.append([testRecord(1)]);
    expect(lsn).toBe(end);
    expect((await readAll(wal)).map((r) => recordIndex(r.data))).toEqual([0, 1]);
    await wal.close();
    const reopened = await openWal({ dir: t.dir });
    expect(reopened.recovery).toEqual({ truncatedBytes: 0, truncatedRecords: 0, skippedCorruptRecords: 0 });
    expect((await readAll(reopened)).map((r) => recordIndex(r.data))).toEqual([0, 1]);
    await reopened.close();
  });

  it('a failed fsync rejects with COLLECTOR_WAL_IO and undoes the write', async () => {
    const { fs, faults } = faultyFs();
    const wal = await openWal({ dir: t.dir, fs });
    await wal.append([testRecord(0)]);
    faults.syncFails = true;
    await expect(wal.append([testRecord(1)])).rejects.toMatchObject({ code: 'COLLECTOR_WAL_IO', message: expect.stringContaining('EIO') });
    // The undo's own fsync fails too: the log must refuse appends rather than guess.
    await expect(wal.append([testRecord(2)])).rejects.toMatchObject({ code: 'COLLECTOR_WAL_FAILED' });
    faults.syncFails = false;
    await wal.close();
    const reopened = await openWal({ dir: t.dir });
    expect((await readAll(reopened)).map((r) => recordIndex(r.data))).toEqual([0]);
    await reopened.append([testRecord(3)]);
    expect((await readAll(reopened)).map((r) => recordIndex(r.data))).toEqual([0, 3]);
    await reopened.close();
  });

  it('interval mode: a failed group still leaves the earlier acknowledged records durable and readable', async () => {
    const { fs, faults } = faultyFs();
    const wal = await openWal({ dir: t.dir, fs, fsync: { mode: 'interval', intervalMs: 60_000 } });
    await wal.append([testRecord(0)]);
    expect(await readAll(wal)).toEqual([]); // not synced yet
    faults.diskFull = true;
    await expect(wal.append([testRecord(1)])).rejects.toMatchObject({ code: 'COLLECTOR_WAL_DISK_FULL' });
    faults.diskFull = false;
    // The undo fdatasync'ed the file, so record 0 is durable and shown; record 1 is gone.
    expect((await readAll(wal)).map((r) => recordIndex(r.data))).toEqual([0]);
    await wal.append([testRecord(2)]);
    await wal.close();
    const reopened = await openWal({ dir: t.dir });
    expect((await readAll(reopened)).map((r) => recordIndex(r.data))).toEqual([0, 2]);
    await reopened.close();
  });

  it('a group that fails after rolling to a new segment removes that segment again', async () => {
    const { fs, faults } = faultyFs();
    const wal = await openWal({ dir: t.dir, fs, segmentBytesMax: 1024 });
    await wal.append([testRecord(0, 600)]);
    const before = await readdir(t.dir);
    // The second record does not fit: it starts a new segment, and the write there fails.
    const writes = faults.writes;
    const failing = wal.append([testRecord(1, 300), testRecord(2, 600)]);
    faults.diskFull = true;
    await expect(failing).rejects.toMatchObject({ code: 'COLLECTOR_WAL_DISK_FULL' });
    expect(faults.writes).toBeGreaterThan(writes);
    expect(await readdir(t.dir)).toEqual(before);
    expect(wal.stats().segmentCount).toBe(1);
    faults.diskFull = false;
    await wal.append([testRecord(3, 600)]);
    expect((await readAll(wal)).map((r) => recordIndex(r.data))).toEqual([0, 3]);
    expect(wal.stats().segmentCount).toBe(2);
    await wal.close();
  });
});
