import { describe, expect, it } from 'vitest';
import { ownerToken } from '../deduper.js';
import { createMemoryDeduper } from '../memory.js';

const owners = (lsn: number, count: number) => Array.from({ length: count }, (_, i) => ownerToken('node-a', lsn, i));

describe('memory deduper', () => {
  it('first occurrence in WAL order wins, also inside one batch', async () => {
    const deduper = createMemoryDeduper();
    expect(await deduper.firstSeen(['a', 'b', 'a'], owners(0, 3), 1000)).toEqual({ firstSeen: [true, true, false], degraded: false });
    expect((await deduper.firstSeen(['b', 'c'], owners(100, 2), 1001)).firstSeen).toEqual([false, true]);
  });

  it('gives a replayed record (crash replay, second sink loop) the same answers as the first time', async () => {
    const deduper = createMemoryDeduper();
    const first = await deduper.firstSeen(['a', 'b', 'a'], owners(0, 3), 1000);
    await deduper.firstSeen(['b', 'c'], owners(100, 2), 1001);
    expect(await deduper.firstSeen(['a', 'b', 'a'], owners(0, 3), 1000)).toEqual(first);
    expect((await deduper.firstSeen(['b', 'c'], owners(100, 2), 1001)).firstSeen).toEqual([false, true]);
  });

  it('forgets ids past the time window and past the count bound, oldest first', async () => {
    const deduper = createMemoryDeduper({ windowMs: 1000, idsMax: 3 });
    await deduper.firstSeen(['a'], owners(0, 1), 0);
    await deduper.firstSeen(['b'], owners(10, 1), 500);
    await deduper.firstSeen(['c'], owners(20, 1), 1200); // 'a' is now older than the window
    expect(deduper.size).toBe(2);
    expect((await deduper.firstSeen(['a'], owners(30, 1), 1201)).firstSeen).toEqual([true]);
    await deduper.firstSeen(['d', 'e'], owners(40, 2), 1202); // count bound: 'b' and 'c' go
    expect(deduper.size).toBe(3);
    expect((await deduper.firstSeen(['b', 'e'], owners(50, 2), 1203)).firstSeen).toEqual([true, false]);
  });
});
