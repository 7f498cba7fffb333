import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateNodeId, NODE_ID_FILE } from '../node-id.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('node id', () => {
  it('is made once, written atomically beside the WAL, and the same after a restart; a new WAL directory gets a new one', async () => {
    const walDir = join(await mkdtemp(join(tmpdir(), 'node-id-')), 'wal');
    dirs.push(join(walDir, '..'));
    const first = await loadOrCreateNodeId(walDir);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(await readFile(join(walDir, NODE_ID_FILE), 'utf8')).toBe(`${first}\n`);
    expect(await readdir(walDir)).toEqual([NODE_ID_FILE]); // no temp file left behind
    expect(await loadOrCreateNodeId(walDir)).toBe(first);
    const other = join(walDir, '..', 'wal-2');
    expect(await loadOrCreateNodeId(other)).not.toBe(first);
  });
});
