import { describe, expect, it } from 'vitest';
import type { WalRecord } from '../../../wal/wal.js';
import type { Processor } from '../../processor.js';
import { warmFromWal } from '../warm-from-wal.js';

/** An in-memory log: records at Lsns 0, 10, 20, …; `read` yields at most `countMax`, as the WAL does. */
function fakeWal(count: number) {
  const records: WalRecord[] = Array.from({ length: count }, (_, i) => ({ lsn: i * 10, nextLsn: (i + 1) * 10, data: new Uint8Array([i]) }));
  return {
    async *read(from: number, countMax: number) {
      yield* records.filter((r) => r.lsn >= from).slice(0, countMax);
    },
  };
}

describe('warming a dedupe window from the WAL', () => {
  it('runs every record in [from, to) through the claimer, in order, across read pages', async () => {
    const seen: number[] = [];
    const claimer: Processor = { process: async (record) => (seen.push(record.lsn), { status: 'processed' as const, lsn: record.lsn, receivedAtMs: 0, records: [] }) };
    expect(await warmFromWal(fakeWal(600), 0, 5000, claimer)).toBe(500);
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => i * 10));
  });

  it('stops at the end of the log', async () => {
    const claimer: Processor = { process: async (record) => ({ status: 'processed' as const, lsn: record.lsn, receivedAtMs: 0, records: [] }) };
    expect(await warmFromWal(fakeWal(3), 0, 1_000_000, claimer)).toBe(3);
    expect(await warmFromWal(fakeWal(3), 0, 0, claimer)).toBe(0);
  });
});
