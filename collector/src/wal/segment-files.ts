import { join } from 'node:path';
import type { Lsn } from './wal.js';
import type { WalFs } from './wal-fs.js';

const SEGMENT_NAME = /^(\d{20})\.wal$/;

/** README "Files": the first Lsn, 20 digits zero padded, then `.wal`. */
export function segmentFileName(firstLsn: Lsn): string {
  return `${String(firstLsn).padStart(20, '0')}.wal`;
}

export function parseSegmentFileName(name: string): Lsn | undefined {
  const match = SEGMENT_NAME.exec(name);
  if (!match) return undefined;
  const lsn = Number(match[1]);
  return Number.isSafeInteger(lsn) ? lsn : undefined;
}

export interface SegmentFile {
  readonly name: string;
  readonly path: string;
  readonly firstLsn: Lsn;
}

/** Segments in `dir` ordered by first Lsn, plus the names that are not segments (or the cursor folder). */
export async function listSegmentFiles(fs: WalFs, dir: string): Promise<{ segments: SegmentFile[]; strays: string[] }> {
  const segments: SegmentFile[] = [];
  const strays: string[] = [];
  for (const name of await fs.readdir(dir)) {
    const firstLsn = parseSegmentFileName(name);
    if (firstLsn === undefined) {
      if (name !== CURSOR_DIR_NAME && name !== 'LOCK') strays.push(name);
    } else {
      segments.push({ name, path: join(dir, name), firstLsn });
    }
  }
  segments.sort((a, b) => a.firstLsn - b.firstLsn);
  return { segments, strays: strays.sort() };
}

/** The cursor store's folder inside the log directory. */
export const CURSOR_DIR_NAME = 'cursors';
