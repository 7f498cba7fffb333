import { open, readdir, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWal } from '../open-wal.js';
import { RECORD_HEADER_BYTES } from '../record-format.js';
import { formatVerifyReport, repairWal, verifyWal } from '../verify.js';
import type { CorruptRange } from '../wal.js';
import { readAll, recordIndex, testRecord, useTempDir } from './helpers.js';

async function flipByte(path: string, position: number): Promise<void> {
  const file = await open(path, 'r+');
  const byte = Buffer.alloc(1);
  await file.read(byte, 0, 1, position);
  byte[0] = byte[0]! ^ 0x5a;
  await file.write(byte, 0, 1, position);
  await file.close();
}

async function segmentPaths(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.wal')).sort().map((name) => join(dir, name));
}

describe('write-ahead log damage', () => {
  const t = useTempDir();

  it('detects a flipped payload byte by CRC: the record is skipped, reported once, later records read', async () => {
    const wal = await openWal({ dir: t.dir });
    const lsns = await wal.append([testRecord(0), testRecord(1), testRecord(2)]);
    await wal.close();
    await flipByte(join(t.dir, '00000000000000000000.wal'), lsns[1]! + RECORD_HEADER_BYTES + 40);

    const ranges: CorruptRange[] = [];
    const reopened = await openWal({ dir: t.dir, onCorrupt: (range) => ranges.push(range) });
    // Valid records follow the bad one, so open keeps everything (no torn tail).
    expect(reopened.recovery).toEqual({ truncatedBytes: 0, truncatedRecords: 0, skippedCorruptRecords: 1 });
    const records = await readAll(reopened);
    expect(records.map((r) => recordIndex(r.data))).toEqual([0, 2]);
    expect(ranges).toEqual([{ segment: '00000000000000000000.wal', lsn: lsns[1], bytes: lsns[2]! - lsns[1]!, reason: 'bad-crc' }]);
    expect(reopened.stats().corruptRecordsSkipped).toBe(1);
    // Still appendable, and the new record reads back after the damaged one.
    await reopened.append([testRecord(3)]);
    expect((await readAll(reopened)).map((r) => recordIndex(r.data))).toEqual([0, 2, 3]);
    // A second pass (another sink) skips it again but does not report it again.
    expect(ranges).toHaveLength(1);
    expect(reopened.stats().corruptRecordsSkipped).toBe(1);
    await reopened.close();
  });

  it('cuts a torn tail (half-written last record) on open and reports it', async () => {
    const wal = await openWal({ dir: t.dir });
    const lsns = await wal.append([testRecord(0, 500), testRecord(1, 500), testRecord(2, 500)]);
    const end = wal.stats().endLsn;
    await wal.close();
    const path = join(t.dir, '00000000000000000000.wal');
    await truncate(path, lsns[2]! + 200); // the last record lost its second half

    const reopened = await openWal({ dir: t.dir });
    expect(reopened.recovery).toEqual({ truncatedBytes: 200, truncatedRecords: 1, skippedCorruptRecords: 0 });
    expect((await stat(path)).size).toBe(lsns[2]);
    expect((await readAll(reopened)).map((r) => recordIndex(r.data))).toEqual([0, 1]);
    const [lsn] = await reopened.append([testRecord(3)]);
    expect(lsn).toBe(lsns[2]);
    expect((await readAll(reopened)).map((r) => recordIndex(r.data))).toEqual([0, 1, 3]);
    expect(reopened.stats().endLsn).toBeLessThan(end);
    await reopened.close();
  });

  it('cuts garbage and zeros after the last record (a torn group) as a tail', async () => {
    const wal = await openWal({ dir: t.dir });
    await wal.append([testRecord(0)]);
    const end = wal.stats().endLsn;
    await wal.close();
    const file = await open(join(t.dir, '00000000000000000000.wal'), 'r+');
    await file.write(Buffer.concat([Buffer.from([0x57, 0x41, 0x4c, 0x31, 200, 0, 0, 0]), Buffer.alloc(300)]), 0, 308, end);
    await file.close();
    const reopened = await openWal({ dir: t.dir });
    expect(reopened.recovery).toEqual({ truncatedBytes: 308, truncatedRecords: 1, skippedCorruptRecords: 0 });
    expect((await readAll(reopened)).map((r) => recordIndex(r.data))).toEqual([0]);
    await reopened.close();
  });

  it('skips a record with a corrupt length in the middle of a sealed segment by resynchronising', async () => {
    const wal = await openWal({ dir: t.dir, segmentBytesMax: 2048 });
    for (let i = 0; i < 40; i++) await wal.append([testRecord(i, 150)]);
    await wal.close();
    const [first] = await segmentPaths(t.dir);
    // Record 3's length field (header offset 4) becomes huge: the reader cannot trust it.
    const record3 = 3 * (RECORD_HEADER_BYTES + 150);
    await flipByte(first!, record3 + 6);

    const ranges: CorruptRange[] = [];
    const reopened = await openWal({ dir: t.dir, segmentBytesMax: 2048, onCorrupt: (range) => ranges.push(range) });
    expect(reopened.recovery).toEqual({ truncatedBytes: 0, truncatedRecords: 0, skippedCorruptRecords: 0 });
    const indexes = (await readAll(reopened)).map((r) => recordIndex(r.data));
    expect(indexes).toEqual([...Array(40).keys()].filter((i) => i !== 3));
    expect(ranges).toEqual([{ segment: '00000000000000000000.wal', lsn: record3, bytes: RECORD_HEADER_BYTES + 150, reason: 'bad-length' }]);
    expect(reopened.stats().corruptRecordsSkipped).toBe(1);

    const report = await verifyWal(t.dir);
    expect(report.ok).toBe(false);
    expect(report.segments[0]!.corrupt).toEqual(ranges);
    expect(report.segments.reduce((sum, s) => sum + s.records, 0)).toBe(39);
    expect(formatVerifyReport(report)).toContain(`corrupt at Lsn ${record3}: ${RECORD_HEADER_BYTES + 150} bytes skipped (bad-length)`);
    await reopened.close();
  });

  it.each([13, 64, 1000])('finds the same records and corrupt ranges with %i-byte read chunks (records and magic straddling chunks)', async (readChunkBytes) => {
    const wal = await openWal({ dir: t.dir, segmentBytesMax: 8192 });
    const lsns: number[] = [];
    for (let i = 0; i < 30; i++) lsns.push(...(await wal.append([testRecord(i, 100 + ((i * 37) % 300))])));
    await wal.close();
    const path = join(t.dir, '00000000000000000000.wal');
    await flipByte(path, lsns[4]! + RECORD_HEADER_BYTES + 20); // bad CRC
    await flipByte(path, lsns[10]!); // bad magic
    await flipByte(path, lsns[11]! + 5); // bad length (next record, so 10 and 11 are one range)
    await flipByte(path, lsns[20]! + 8); // bad CRC in the header's CRC field

    const ranges: CorruptRange[] = [];
    const reopened = await openWal({ dir: t.dir, segmentBytesMax: 8192, readChunkBytes, onCorrupt: (range) => ranges.push(range) });
    expect(reopened.recovery.skippedCorruptRecords).toBe(3);
    expect((await readAll(reopened)).map((r) => recordIndex(r.data))).toEqual([...Array(30).keys()].filter((i) => ![4, 10, 11, 20].includes(i)));
    expect(ranges.map((r) => [r.lsn, r.bytes, r.reason])).toEqual([
      [lsns[4], lsns[5]! - lsns[4]!, 'bad-crc'],
      [lsns[10], lsns[12]! - lsns[10]!, 'bad-magic'],
      [lsns[20], lsns[21]! - lsns[20]!, 'bad-crc'],
    ]);
    await reopened.close();
  });

  it('never reuses an Lsn a cursor has passed: a log that lost its tail continues after the cursor', async () => {
    const wal = await openWal({ dir: t.dir });
    const lsns = await wal.append([testRecord(0), testRecord(1), testRecord(2)]);
    await wal.cursors.save('lake', { committed: lsns[2]!, inflight: { from: lsns[2]!, to: wal.stats().endLsn } });
    const end = wal.stats().endLsn;
    await wal.close();
    await truncate(join(t.dir, '00000000000000000000.wal'), lsns[1]!); // records 1 and 2 lost to a disk fault

    const reopened = await openWal({ dir: t.dir });
    expect(reopened.recovery).toEqual({ truncatedBytes: 0, truncatedRecords: 0, skippedCorruptRecords: 0, endRaisedTo: end });
    const [lsn] = await reopened.append([testRecord(3)]);
    expect(lsn).toBe(end);
    expect((await readAll(reopened)).map((r) => [recordIndex(r.data), r.lsn])).toEqual([[0, 0], [3, end]]);
    const records: number[] = [];
    for await (const record of reopened.read(lsns[2]!, 10)) records.push(recordIndex(record.data));
    expect(records).toEqual([3]); // the sink resumes at its cursor and gets the new record
    await reopened.close();
  });

  it('opens and reads past a sealed segment that is garbage from its first byte, and past a missing segment', async () => {
    const wal = await openWal({ dir: t.dir, segmentBytesMax: 1024 });
    for (let i = 0; i < 20; i++) await wal.append([testRecord(i, 200)]); // 4 per segment, 5 segments
    await wal.close();
    const paths = await segmentPaths(t.dir);
    expect(paths).toHaveLength(5);
    const file = await open(paths[1]!, 'r+');
    await file.write(Buffer.alloc(300, 0xee), 0, 300, 0);
    await file.close();
    await unlink(paths[3]!);

    const ranges: CorruptRange[] = [];
    const reopened = await openWal({ dir: t.dir, segmentBytesMax: 1024, onCorrupt: (range) => ranges.push(range) });
    const indexes = (await readAll(reopened)).map((r) => recordIndex(r.data));
    // Records 4 and 5 lay in the overwritten bytes; 12..15 were in the deleted segment.
    expect(indexes).toEqual([0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19]);
    expect(ranges).toEqual([{ segment: '00000000000000000848.wal', lsn: 848, bytes: 424, reason: 'bad-magic' }]);
    await reopened.append([testRecord(20, 200)]);
    expect((await readAll(reopened, 848 * 4)).map((r) => recordIndex(r.data))).toEqual([16, 17, 18, 19, 20]);
    await reopened.close();
    const report = await verifyWal(t.dir);
    expect(report.gaps).toEqual([{ after: '00000000000000001696.wal', expectedLsn: 2544, foundLsn: 3392 }]);
    expect(formatVerifyReport(report)).toContain('gap after 00000000000000001696.wal: expected a segment at Lsn 2544, found 3392');
  });

  it('verifies without changing anything and repairs a torn tail like open does', async () => {
    const wal = await openWal({ dir: t.dir, segmentBytesMax: 1024 });
    for (let i = 0; i < 20; i++) await wal.append([testRecord(i, 100)]);
    await wal.cursors.save('lake', { committed: 560, inflight: { from: 560, to: 784 } });
    await wal.close();
    const paths = await segmentPaths(t.dir);
    const newest = paths[paths.length - 1]!;
    const size = (await stat(newest)).size;
    await truncate(newest, size - 30);

    const report = await verifyWal(t.dir);
    expect(report.ok).toBe(false);
    expect(report.tornTail).toMatchObject({ segment: newest.slice(t.dir.length + 1), bytes: RECORD_HEADER_BYTES + 100 - 30 });
    expect(report.cursors).toEqual([{ name: 'lake', state: { committed: 560, inflight: { from: 560, to: 784 } } }]);
    expect(report.gaps).toEqual([]);
    expect((await stat(newest)).size).toBe(size - 30); // unchanged
    expect(formatVerifyReport(report)).toMatch(/torn tail: 82 bytes/);

    await expect(verifyWal(join(t.dir, 'nope'))).rejects.toMatchObject({ code: 'COLLECTOR_WAL_NOT_FOUND', message: expect.stringContaining('does not exist') });
    await expect(repairWal(join(t.dir, 'nope'))).rejects.toMatchObject({ code: 'COLLECTOR_WAL_NOT_FOUND' });
    const repaired = await repairWal(t.dir);
    expect(repaired).toMatchObject({ truncatedBytes: 82, truncatedRecords: 1 });
    const after = await verifyWal(t.dir);
    expect(after.ok).toBe(true);
    expect(after.segments.reduce((sum, s) => sum + s.records, 0)).toBe(19);
    expect(formatVerifyReport(after)).toMatch(/OK\n\d+ segment\(s\), 19 record\(s\)/);
  });
});
