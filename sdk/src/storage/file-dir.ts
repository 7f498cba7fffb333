/**
 * The file queue's directory: segment file names, the LOCK that keeps one process per
 * directory, and atomic replacement of a file (tmp, fdatasync, rename, fsync of the directory).
 */
import { open, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SdkError } from '../errors.js';

const SEGMENT_NAME = /^seg-(\d{16})\.log$/;

export function segmentPath(dir: string, seq: number): string {
  return join(dir, `seg-${String(seq).padStart(16, '0')}.log`);
}

/** Sequence numbers of the data segments in `dir`, oldest first. */
export async function segmentSeqs(dir: string): Promise<number[]> {
  return (await readdir(dir)).map((name) => SEGMENT_NAME.exec(name)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
}

/** Replaces `path` with `body` so a crash leaves either the old or the new file, never a mix. */
export async function replaceFileAtomically(path: string, body: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.write(body);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await syncDir(join(path, '..'));
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await handle.close();
  }
}

/** One process per queue directory; a lock left by a killed process is taken over. */
export async function takeLock(dir: string): Promise<void> {
  const path = join(dir, 'LOCK');
  const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
    throw new SdkError('SDK_STORAGE_FAILED', `queue directory ${dir} is in use by process ${owner}; give each process its own queueDir`);
  }
  await writeFile(path, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
