import { spawnSync } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWal } from '../open-wal.js';
import { RECORD_HEADER_BYTES } from '../record-format.js';
import { faultyFs } from './fault-fs.js';
import { readAll, recordIndex, testRecord, useTempDir } from './helpers.js';

describe('write-ahead log round trip', () => {
  const t = useTempDir();

  it('reads back every record in order across segment rolls, with Lsn = byte offset', async () => {
    const wal = await openWal({ dir: t.dir, segmentBytesMax: 4096 });
    const lsns: number[] = [];
    for (let i = 0; i < 100; i++) lsns.push(...(await wal.append([testRecord(i, 50 + (i % 7) * 40)])));
    const batch = await wal.append([testRecord(100), testRecord(101), testRecord(102)]);
    lsns.push(...batch);

    const records = await readAll(wal);
    expect(records.map((r) => recordIndex(r.data))).toEqual([...Array(103).keys()]);
    expect(records.map((r) => r.lsn)).toEqual(lsns);
    expect(records[0]!.lsn).toBe(0);
    expect(records[1]!.lsn).toBe(RECORD_HEADER_BYTES + records[0]!.data.length);
    for (let i = 1; i < records.length; i++) expect(records[i]!.lsn).toBe(records[i - 1]!.nextLsn);
    expect(Buffer.from(records[42]!.data)).toEqual(Buffer.from(testRecord(42, 50 + (42 % 7) * 40)));

    const files = (await readdir(t.dir)).filter((name) => name.endsWith('.wal')).sort();
    expect(files.length).toBeGreaterThan(3);
    expect(files[0]).toBe('00000000000000000000.wal');
    for (const file of files) expect((await stat(`${t.dir}/${file}`)).size).toBeLessThanOrEqual(4096);
    // Each segment is named by the Lsn of its first record.
    expect(files.map((name) => Number(name.slice(0, 20))).slice(1).every((lsn) => lsns.includes(lsn))).toBe(true);

    const stats = wal.stats();
    expect(stats.segmentCount).toBe(files.length);
    expect(stats.endLsn).toBe(records[102]!.nextLsn);
    expect(stats.appendedRecords).toBe(103);

    // Reading from the middle and with a count limit.
    const tail = [];
    for await (const record of wal.read(lsns[50]!, 5)) tail.push(recordIndex(record.data));
    expect(tail).toEqual([50, 51, 52, 53, 54]);
    await wal.close();

    const reopened = await openWal({ dir: t.dir, segmentBytesMax: 4096 });
    expect(reopened.recovery).toEqual({ truncatedBytes: 0, truncatedRecords: 0, skippedCorruptRecords: 0 });
    const [next] = await reopened.append([testRecord(103)]);
    expect(next).toBe(stats.endLsn);
    expect((await readAll(reopened)).map((r) => recordIndex(r.data))).toEqual([...Array(104).keys()]);
    await reopened.close();
    await expect(reopened.append([testRecord(1)])).rejects.toMatchObject({ code: 'COLLECTOR_WAL_CLOSED' });
  });

  it('serves small reads of several consumers from shared chunks instead of re-reading', async () => {
    const { fs, faults } = faultyFs();
    const wal = await openWal({ dir: t.dir, fs });
    await wal.append([...Array(200).keys()].map((i) => testRecord(i, 1000)));
    const readsBefore = faults.reads;
    for (const _consumer of ['lake', 's3', 'kinesis']) {
      let next = 0;
      const seen: number[] = [];
      for (let call = 0; call < 20; call++) {
        for await (const record of wal.read(next, 10)) {
          seen.push(recordIndex(record.data));
          next = record.nextLsn;
        }
      }
      expect(seen).toEqual([...Array(200).keys()]);
    }
    // 200 KB fit one 4 MiB chunk: one read for 60 calls by 3 consumers.
    expect(faults.reads - readsBefore).toBe(1);
    // Appended after the chunk was cached: read fresh, never served stale.
    await wal.append([testRecord(200, 1000)]);
    expect((await readAll(wal, wal.stats().endLsn - 1012)).map((r) => recordIndex(r.data))).toEqual([200]);
    await wal.close();
  });

  it('wakes a waiting reader when an append lands, and an abort ends the wait with false', async () => {
    const wal = await openWal({ dir: t.dir });
    const end = wal.stats().endLsn;
    const waiting = wal.waitForAppend(end);
    const [lsn] = await wal.append([testRecord(7)]);
    await expect(waiting).resolves.toBe(true);
    expect(lsn).toBe(end);
    const controller = new AbortController();
    const aborted = wal.waitForAppend(wal.stats().endLsn, controller.signal);
    controller.abort();
    await expect(aborted).resolves.toBe(false);
    const pending = wal.waitForAppend(wal.stats().endLsn);
    await wal.close();
    await expect(pending).resolves.toBe(false);
  });

  it('refuses a directory another live process holds, takes over a dead owner\'s lock, releases on close', async () => {
    const lock = join(t.dir, 'LOCK');
    await writeFile(lock, `${process.ppid}\n`); // our parent: alive, not us
    await expect(openWal({ dir: t.dir })).rejects.toMatchObject({ code: 'COLLECTOR_WAL_LOCKED', message: expect.stringContaining(`in use by process ${process.ppid}`) });
    // Same live pid, but written in another boot or by an earlier process with that pid: stale.
    await writeFile(lock, `${process.ppid} another-boot 1\n`);
    const reused = await openWal({ dir: t.dir });
    await reused.close();
    await writeFile(lock, `${process.ppid} - 1\n`);
    await (await openWal({ dir: t.dir })).close();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    await writeFile(lock, `${dead}\n`);
    const wal = await openWal({ dir: t.dir });
    expect((await readFile(lock, 'utf8')).split(' ')[0]).toBe(String(process.pid));
    await wal.append([testRecord(1)]);
    await wal.close();
    await expect(readFile(lock)).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await openWal({ dir: t.dir });
    expect((await readAll(again)).map((r) => recordIndex(r.data))).toEqual([1]);
    await again.close();
  });

  it('rejects a record above recordBytesMax with a typed error and keeps serving', async () => {
    const wal = await openWal({ dir: t.dir, segmentBytesMax: 4096 });
    await expect(wal.append([testRecord(1, 5000)])).rejects.toMatchObject({
      code: 'COLLECTOR_WAL_RECORD_TOO_LARGE',
      status: 413,
      message: expect.stringContaining('5000 bytes exceeds'),
    });
    await wal.append([testRecord(2)]);
    expect((await readAll(wal)).map((r) => recordIndex(r.data))).toEqual([2]);
    await wal.close();
  });
});
