/**
 * Writes one lake file atomically, never visible half-written: the bytes go to a temp file in
 * `<lake>/_tmp/` (outside every zone and partition folder, so no reader's glob finds it, and on
 * the same file system, so the rename is atomic), fsync, rename into the partition folder, fsync
 * the folder. A reader sees the whole file or none; a crash at any point leaves at most a
 * `_tmp/<pid>-…` file, removed at the next start (./lake-temp-sweep.ts).
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { syncDir } from '@shopstream/shared/node';

/** The lake's staging folder: Hive and DuckDB conventions skip names starting with `_`. */
export const LAKE_TEMP_DIR = '_tmp';

let tempCounter = 0;

/** A fresh temp path for `name` under `<lakeDir>/_tmp/`, unique within this process. */
export async function lakeTempPath(lakeDir: string, name: string): Promise<string> {
  const dir = join(lakeDir, LAKE_TEMP_DIR);
  await mkdir(dir, { recursive: true });
  return join(dir, `${process.pid}-${++tempCounter}-${name}`);
}

/** Moves a finished temp file to `path` (inside `lakeDir`) atomically; removes the temp file if that fails. */
export async function publishLakeFile(temp: string, path: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDir(dir);
}

/** Writes `body` to a temp file, fsyncs it, then publishes it at `path`; returns the bytes written. */
export async function writeLakeFile(lakeDir: string, path: string, body: Uint8Array): Promise<number> {
  const temp = await lakeTempPath(lakeDir, path.slice(dirname(path).length + 1));
  const file = await open(temp, 'w');
  try {
    await file.writeFile(body);
    await file.sync();
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  await file.close();
  await publishLakeFile(temp, path);
  return body.length;
}
