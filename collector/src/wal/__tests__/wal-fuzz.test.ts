import { open, readdir, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWal } from '../open-wal.js';
import { verifyWal } from '../verify.js';
import { readAll, recordIndex, testRecord, useTempDir } from './helpers.js';
import { seededRandom } from '../../__tests__/seeded-random.js';

const prng = seededRandom;

describe('random damage', () => {
  const t = useTempDir();

  it('never makes open fail or a reader throw, loop or return anything but original records in order', async () => {
    for (let seed = 1; seed <= 25; seed++) {
      const random = prng(seed);
      const dir = join(t.dir, `seed-${seed}`);
      const wal = await openWal({ dir, segmentBytesMax: 2048 });
      const original = new Map<number, Buffer>();
      for (let i = 0; i < 40; i++) {
        const record = testRecord(i, 20 + Math.floor(random() * 400));
        const [lsn] = await wal.append([record]);
        original.set(lsn!, Buffer.from(record));
      }
      await wal.close();

      const segments = (await readdir(dir)).filter((name) => name.endsWith('.wal')).sort();
      // Where damage went, per segment: a record none of whose bytes were hit is intact.
      const damaged = new Map<string, { from: number; to: number }[]>(segments.map((name) => [name, []]));
      for (let hit = 0; hit < 1 + Math.floor(random() * 6); hit++) {
        const name = segments[Math.floor(random() * segments.length)]!;
        const path = join(dir, name);
        const file = await open(path, 'r+');
        const size = (await file.stat()).size;
        if (size > 0) {
          const at = Math.floor(random() * size);
          const kind = random();
          const bytes = kind < 0.5 ? Buffer.from([Math.floor(random() * 256)]) : Buffer.alloc(Math.min(size - at, 1 + Math.floor(random() * 300)), kind < 0.75 ? 0 : 0x57);
          await file.write(bytes, 0, bytes.length, at);
          damaged.get(name)!.push({ from: at, to: at + bytes.length });
        }
        await file.close();
        if (random() < 0.2 && size > 0) {
          const cut = Math.floor(random() * size);
          await truncate(path, cut);
          damaged.get(name)!.push({ from: cut, to: Number.POSITIVE_INFINITY });
        }
      }
      const starts = segments.map((name) => ({ name, start: Number(name.slice(0, 20)) }));
      const intact = [...original].filter(([lsn, data]) => {
        const segment = starts.filter((s) => s.start <= lsn).at(-1)!;
        const from = lsn - segment.start;
        const to = from + 12 + data.length;
        return damaged.get(segment.name)!.every((range) => range.to <= from || range.from >= to);
      });

      const reopened = await openWal({ dir, segmentBytesMax: 2048 });
      const records = await readAll(reopened);
      for (const [i, record] of records.entries()) {
        expect(Buffer.from(record.data), `seed ${seed} lsn ${record.lsn}`).toEqual(original.get(record.lsn));
        if (i > 0) expect(record.lsn).toBeGreaterThan(records[i - 1]!.lsn);
      }
      // And nothing intact is dropped: a reader that skipped good records after damage fails here.
      const read = new Set(records.map((r) => r.lsn));
      expect(intact.filter(([lsn]) => !read.has(lsn)).map(([lsn]) => lsn), `seed ${seed}: intact records not read`).toEqual([]);
      // Still a working log: a new record lands after everything readable.
      const [lsn] = await reopened.append([testRecord(1000)]);
      const after = await readAll(reopened);
      expect(recordIndex(after[after.length - 1]!.data)).toBe(1000);
      expect(after[after.length - 1]!.lsn).toBe(lsn);
      await reopened.close();
      await verifyWal(dir); // never throws on damage either
    }
  });
});
