import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openWal } from '../open-wal.js';
import type { Lsn } from '../wal.js';
import { faultyFs, type Faults } from './fault-fs.js';
import { readAll, recordIndex, testRecord, useTempDir } from './helpers.js';

/** Resolves once `count` fdatasyncs are held (the writer starts them from its own loop). */
async function heldSyncs(faults: Faults, count: number): Promise<void> {
  await vi.waitFor(() => expect(faults.heldSyncs.length).toBe(count), { timeout: 5_000, interval: 5 });
}

/** An append whose outcome the test can look at without awaiting it. */
function track(promise: Promise<Lsn[]>): { state: 'pending' | 'acked' | 'rejected'; error?: unknown; done: Promise<void> } {
  const tracked: { state: 'pending' | 'acked' | 'rejected'; error?: unknown; done: Promise<void> } = { state: 'pending', done: Promise.resolve() };
  tracked.done = promise.then(
    () => void (tracked.state = 'acked'),
    (error: unknown) => {
      tracked.state = 'rejected';
      tracked.error = error;
    },
  );
  return tracked;
}

describe('overlapping fdatasyncs (invariant 7)', () => {
  const t = useTempDir();

  it('writes the next group while the previous fdatasync runs, yet acknowledges and shows records in Lsn order', async () => {
    const { fs, faults } = faultyFs();
    const wal = await openWal({ dir: t.dir, fs, syncsInFlightMax: 2 });
    faults.holdSyncs = true;
    const first = track(wal.append([testRecord(0)]));
    await heldSyncs(faults, 1);
    const second = track(wal.append([testRecord(1)]));
    await heldSyncs(faults, 2); // written without waiting for the first flush
    // Each on its own handle: Linux reports a writeback error once per open file, so both flushes see it.
    expect(faults.heldSyncs[0]!.handle).not.toBe(faults.heldSyncs[1]!.handle);
    const third = track(wal.append([testRecord(2)]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(faults.heldSyncs.length).toBe(2); // syncsInFlightMax 2: the third waits

    faults.heldSyncs[1]!.release(); // the later flush ends first
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([first.state, second.state, third.state]).toEqual(['pending', 'pending', 'pending']);
    expect(wal.stats().endLsn).toBe(0);
    expect(await readAll(wal)).toEqual([]);

    faults.heldSyncs[0]!.release();
    await Promise.all([first.done, second.done]);
    expect([first.state, second.state]).toEqual(['acked', 'acked']);
    expect((await readAll(wal)).map((r) => recordIndex(r.data))).toEqual([0, 1]);
    await heldSyncs(faults, 3);
    faults.heldSyncs[2]!.release();
    await third.done;
    expect(third.state).toBe('acked');
    expect(faults.syncsInFlightPeak).toBe(2);
    await wal.close();
  });

  it('a failed fdatasync behind a good one: the earlier group is acknowledged, the failed one undone, the log goes on', async () => {
    const { fs, faults } = faultyFs();
    const wal = await openWal({ dir: t.dir, fs, syncsInFlightMax: 2 });
    await wal.append([testRecord(0)]);
    faults.holdSyncs = true;
    const good = track(wal.append([testRecord(1)]));
    await heldSyncs(faults, 1);
    const failing = track(wal.append([testRecord(2, 400)]));
    await heldSyncs(faults, 2);
    const queued = track(wal.append([testRecord(3)]));

    faults.holdSyncs = false; // the undo's own fdatasync and the queued group's run freely
    faults.heldSyncs[1]!.release('EIO');
    faults.heldSyncs[0]!.release();
    await Promise.all([good.done, failing.done, queued.done]);
    expect(good.state).toBe('acked');
    expect(failing).toMatchObject({ state: 'rejected', error: { code: 'COLLECTOR_WAL_IO' } });
    expect(queued.state).toBe('acked');
    expect((await readAll(wal)).map((r) => recordIndex(r.data))).toEqual([0, 1, 3]);
    await wal.close();
    const reopened = await openWal({ dir: t.dir });
    expect(reopened.recovery).toEqual({ truncatedBytes: 0, truncatedRecords: 0, skippedCorruptRecords: 0 });
    expect((await readAll(reopened)).map((r) => recordIndex(r.data))).toEqual([0, 1, 3]);
    await reopened.close();
  });

  it('after a failed fdatasync a later group is undone too, even if its own fdatasync succeeded', async () => {
    const { fs, faults } = faultyFs();
    const wal = await openWal({ dir: t.dir, fs, syncsInFlightMax: 2 });
    await wal.append([testRecord(0)]);
    const end = wal.stats().endLsn;
    faults.holdSyncs = true;
    const failing = track(wal.append([testRecord(1, 300)]));
    await heldSyncs(faults, 1);
    const later = track(wal.append([testRecord(2, 300)]));
    await heldSyncs(faults, 2);

    faults.heldSyncs[1]!.release(); // the later flush "succeeds" first
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(later.state).toBe('pending');
    faults.holdSyncs = false;
    faults.heldSyncs[0]!.release('EIO');
    await Promise.all([failing.done, later.done]);
    expect(failing).toMatchObject({ state: 'rejected', error: { code: 'COLLECTOR_WAL_IO' } });
    expect(later).toMatchObject({ state: 'rejected', error: { code: 'COLLECTOR_WAL_IO' } });
    // Truncated back to the end of the last acknowledged record.
    expect((await stat(join(t.dir, '00000000000000000000.wal'))).size).toBe(end);
    const [lsn] = await wal.append([testRecord(3)]);
    expect(lsn).toBe(end);
    expect((await readAll(wal)).map((r) => recordIndex(r.data))).toEqual([0, 3]);
    await wal.close();
  });

  it('a writeback error one flush reported does not fail the undo on the other handle: the log goes on', async () => {
    const { fs, faults } = faultyFs();
    const wal = await openWal({ dir: t.dir, fs, syncsInFlightMax: 2 });
    await wal.append([testRecord(0)]); // its flush ran on the main handle
    faults.holdSyncs = true;
    const failing = track(wal.append([testRecord(1, 300)]));
    await heldSyncs(faults, 1); // on the second handle
    faults.holdSyncs = false;
    faults.writebackFails = true; // Linux would report it to the main handle too, once
    faults.heldSyncs[0]!.release();
    await failing.done;
    expect(failing).toMatchObject({ state: 'rejected', error: { code: 'COLLECTOR_WAL_IO' } });
    // The undo ran on a fresh main handle, which does not report the error a second time.
    await expect(wal.append([testRecord(2)])).resolves.toHaveLength(1);
    expect((await readAll(wal)).map((r) => recordIndex(r.data))).toEqual([0, 2]);
    await wal.close();
  });

  it('never runs more fdatasyncs at once than syncsInFlightMax', async () => {
    for (const syncsInFlightMax of [1, 3]) {
      const { fs, faults } = faultyFs();
      const wal = await openWal({ dir: `${t.dir}/max-${syncsInFlightMax}`, fs, syncsInFlightMax });
      const writers = Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < 20; i++) await wal.append([testRecord(w * 100 + i, 500)]);
      });
      await Promise.all(writers);
      expect(faults.syncsInFlightPeak).toBeLessThanOrEqual(syncsInFlightMax);
      expect((await readAll(wal)).length).toBe(320);
      await wal.close();
    }
  });
});
