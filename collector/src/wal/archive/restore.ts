/**
 * Rebuilds a log directory from its archive (../README.md "Archive: Restore"): segments from
 * their parts, the sinks' cursors, `node-id`, and `_archive` at the restored end. Everything is
 * written into a sibling temp directory, fdatasync'ed, and renamed into place at the end, so a
 * failed restore leaves no half-built log for a collector to start on.
 */
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseCursorState, type CursorState } from '../cursor-store.js';
import { WalError } from '../errors.js';
import { NODE_ID_FILE } from '../../pipeline/dedupe/node-id.js';
import { CURSOR_DIR_NAME } from '../segment-files.js';
import { nodeWalFs, syncDir, writeFully } from '../wal-fs.js';
import type { Lsn } from '../wal.js';
import { ARCHIVE_CURSOR_NAME, cursorPrefix, nodeIdKey, parsePartKey, walPrefix, type PartRef } from './archive-layout.js';
import type { ArchiveStore } from './archive-store.js';


export interface RestoreReport {
  readonly dir: string;
  readonly nodeId?: string;
  readonly segments: number;
  readonly bytes: number;
  /** Lsn after the last restored byte: where the restored collector appends next. */
  readonly endLsn: Lsn;
  readonly cursors: Readonly<Record<string, CursorState>>;
}

export async function restoreWal(options: { readonly store: ArchiveStore; readonly base: string; readonly dir: string }): Promise<RestoreReport> {
  const { store, base, dir } = options;
  await refuseNonEmpty(dir);
  const bySegment = new Map<string, PartRef[]>();
  for (const key of await store.list(walPrefix(base))) {
    const part = parsePartKey(base, key);
    if (!part) continue;
    bySegment.set(part.segment, [...(bySegment.get(part.segment) ?? []), part]);
  }
  const nodeIdBytes = await store.get(nodeIdKey(base));
  if (bySegment.size === 0 && !nodeIdBytes) throw new WalError('COLLECTOR_WAL_ARCHIVE_EMPTY', `No archived log under ${base}: check the bucket, prefix and node id.`);

  const temp = join(dirname(dir), `.${basename(dir)}.restoring-${process.pid}`);
  await rm(temp, { recursive: true, force: true });
  await mkdir(join(temp, CURSOR_DIR_NAME), { recursive: true });
  try {
    let endLsn = 0;
    let bytes = 0;
    const segments = [...bySegment.values()].sort((a, b) => a[0]!.firstLsn - b[0]!.firstLsn);
    for (const parts of segments) {
      const { segment, firstLsn } = parts[0]!;
      if (firstLsn < endLsn) throw new WalError('COLLECTOR_WAL_ARCHIVE_GAP', `Archived segment ${segment} starts at Lsn ${firstLsn}, inside the previous segment (which ends at ${endLsn}).`);
      const size = await writeSegment(store, join(temp, segment), parts);
      endLsn = firstLsn + size;
      bytes += size;
    }

    const cursors: Record<string, CursorState> = {};
    for (const key of await store.list(cursorPrefix(base))) {
      const name = key.slice(cursorPrefix(base).length).replace(/\.json$/, '');
      if (name === ARCHIVE_CURSOR_NAME || !key.endsWith('.json')) continue;
      const text = Buffer.from((await store.get(key)) ?? []).toString('utf8');
      cursors[name] = parseCursorState(name, text);
    }
    cursors[ARCHIVE_CURSOR_NAME] = { committed: endLsn };
    for (const [name, state] of Object.entries(cursors)) await writeDurably(join(temp, CURSOR_DIR_NAME, `${name}.json`), JSON.stringify(state) + '\n');
    const nodeId = nodeIdBytes ? Buffer.from(nodeIdBytes).toString('utf8').trim() : undefined;
    if (nodeId !== undefined) await writeDurably(join(temp, NODE_ID_FILE), `${nodeId}\n`);

    await syncDir(join(temp, CURSOR_DIR_NAME));
    await syncDir(temp);
    await rmdir(dir).catch(() => undefined); // an empty target may exist; a non-empty one was refused
    await rename(temp, dir);
    await syncDir(dirname(dir));
    const { [ARCHIVE_CURSOR_NAME]: _archive, ...sinkCursors } = cursors;
    return { dir, ...(nodeId === undefined ? {} : { nodeId }), segments: segments.length, bytes, endLsn, cursors: sinkCursors };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Parts fetched at once: an archive shipped every second holds thousands of small parts. */
const GETS_IN_FLIGHT_MAX = 16;

/** Writes one segment from its parts, each byte once; a hole between parts is a missing part. */
async function writeSegment(store: ArchiveStore, path: string, parts: PartRef[]): Promise<number> {
  parts.sort((a, b) => a.fromOffset - b.fromOffset || b.toOffset - a.toOffset);
  // The chain of parts that covers the segment from offset 0, and where each one's new bytes start.
  const chain: { part: PartRef; writeFrom: number }[] = [];
  let covered = 0;
  for (const part of parts) {
    if (part.toOffset <= covered) continue;
    if (part.fromOffset > covered) throw new WalError('COLLECTOR_WAL_ARCHIVE_GAP', `Archived segment ${part.segment} lacks bytes ${covered} to ${part.fromOffset}: a part is missing from the archive.`);
    chain.push({ part, writeFrom: covered });
    covered = part.toOffset;
  }
  const file = await nodeWalFs.open(path, 'w');
  try {
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < chain.length && !failed) {
        const { part, writeFrom } = chain[next++]!;
        const body = await store.get(part.key);
        if (!body || body.length !== part.toOffset - part.fromOffset) {
          throw new WalError('COLLECTOR_WAL_ARCHIVE_GAP', `Archived part ${part.key} is missing or not ${part.toOffset - part.fromOffset} bytes long.`);
        }
        await writeFully(file, body.subarray(writeFrom - part.fromOffset), writeFrom);
      }
    };
    // The first failure stops the other workers before the file closes under them.
    await Promise.all(Array.from({ length: Math.min(GETS_IN_FLIGHT_MAX, chain.length) }, () => worker().catch((error: unknown) => ((failed = true), Promise.reject(error)))));
    await file.datasync();
  } finally {
    await file.close();
  }
  return covered;
}

async function writeDurably(path: string, text: string): Promise<void> {
  const file = await nodeWalFs.open(path, 'w');
  try {
    await writeFully(file, Buffer.from(text), 0);
    await file.datasync();
  } finally {
    await file.close();
  }
}

async function refuseNonEmpty(dir: string): Promise<void> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
  if (names.length > 0) throw new WalError('COLLECTOR_WAL_RESTORE_NOT_EMPTY', `${dir} is not empty: restore into a new or empty directory (an existing log is adopted by starting a collector on it, not restored over).`);
}
