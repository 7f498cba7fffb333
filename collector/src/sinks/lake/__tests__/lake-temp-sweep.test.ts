import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sweepLakeTempFiles } from '../lake-temp-sweep.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const NOW = Date.parse('2026-11-23T10:00:00Z');

describe('sweeping stale lake temp files', () => {
  it('removes temp files of dead pids, of an earlier run with our pid, and old ones; keeps live writes and final files', async () => {
    const lake = await mkdtemp(join(tmpdir(), 'lake-sweep-'));
    dirs.push(lake);
    const part = join(lake, 'clean', 'source=web', 'event_type=page', 'dt=2026-11-23', 'hr=09');
    await mkdir(part, { recursive: true });
    const file = async (name: string, ageMs: number) => {
      await writeFile(join(part, name), 'x');
      const at = new Date(NOW - ageMs);
      await utimes(join(part, name), at, at);
    };
    await file('0000000000000000_000000-0000000000000010_000001.ndjson.gz', 10 * 3_600_000); // final: never touched
    await file('.tmp-111-0000000000000020_000000-0000000000000030_000000.ndjson.gz', 1000); // dead pid
    await file('.tmp-222-0000000000000040_000000-0000000000000050_000000.ndjson.gz', 1000); // live pid, fresh: a write in progress
    await file('.tmp-333-0000000000000060_000000-0000000000000070_000000.ndjson.gz', 2 * 3_600_000); // "live" pid but 2 h old: reused pid
    await file('.tmp-1-0000000000000080_000000-0000000000000090_000000.ndjson.gz', 60_000); // our pid (1 in a container), from before this start
    await file('.tmp-1-0000000000000100_000000-0000000000000110_000000.ndjson.gz', 10); // our pid, written since this start
    await writeFile(join(lake, 'notes.tmp'), 'x'); // not a lake temp name
    // Today's writers stage in <lake>/_tmp/<pid>-<n>-<name>, outside every partition.
    const staged = join(lake, '_tmp');
    await mkdir(staged);
    await writeFile(join(staged, '111-4-0000000000000120_000000-0000000000000130_000000.parquet'), 'x'); // dead pid
    await writeFile(join(staged, '222-5-0000000000000140_000000-0000000000000150_000000.parquet'), 'x'); // live write

    const result = await sweepLakeTempFiles(lake, { nowMs: () => NOW, startedAtMs: NOW - 30_000, pid: 1, isAlive: (pid) => pid === 222 || pid === 333 });
    expect(result).toEqual({ removed: 4, kept: 3 });
    expect(await readdir(staged)).toEqual(['222-5-0000000000000140_000000-0000000000000150_000000.parquet']);
    expect((await readdir(part)).sort()).toEqual([
      '.tmp-1-0000000000000100_000000-0000000000000110_000000.ndjson.gz',
      '.tmp-222-0000000000000040_000000-0000000000000050_000000.ndjson.gz',
      '0000000000000000_000000-0000000000000010_000001.ndjson.gz',
    ]);
    expect(await readdir(lake)).toContain('notes.tmp');
  });

  it('is a no-op on a lake that does not exist yet', async () => {
    expect(await sweepLakeTempFiles(join(tmpdir(), 'no-such-lake-sweep'))).toEqual({ removed: 0, kept: 0 });
  });
});
