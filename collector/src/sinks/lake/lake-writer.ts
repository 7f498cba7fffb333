/**
 * Writes one lake file atomically: gzip NDJSON to a temp name in the target directory, fsync,
 * rename over the final name, fsync the directory. A reader sees the whole file or none, and
 * a crash at any point leaves at most a `.tmp-<pid>-` file, removed at the next start
 * (./lake-temp-sweep.ts).
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { syncDir } from '@shopstream/shared/node';
import { gzipOnThread } from '../gzip-on-thread.js';

/** Gzip level: 6 is zlib's default; lower trades lake bytes for delivery CPU. */
export interface LakeWriterOptions {
  readonly gzipLevel: number;
}

export async function writeLakeFile(path: string, lines: readonly string[], options: LakeWriterOptions): Promise<number> {
  const body = await gzipOnThread(Buffer.from(`${lines.join('\n')}\n`), options.gzipLevel);
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.tmp-${process.pid}-${path.slice(dir.length + 1)}`);
  const file = await open(temp, 'w');
  try {
    await file.writeFile(body);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDir(dir);
  return body.length;
}
