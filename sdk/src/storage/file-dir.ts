/**
 * The file queue's directory: segment file names and the LOCK that keeps one process per
 * directory (shared's pid lock, the same the collector's WAL takes).
 */
import { lockHolder, lockOwnerText } from '@shopstream/shared/node';
import { readFile, readdir, writeFile } from 'node:fs/promises';
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

/** One process per queue directory; a lock left by a killed process (or by an earlier process whose pid was reused) is taken over. */
export async function takeLock(dir: string): Promise<void> {
  const path = join(dir, 'LOCK');
  const owner = lockHolder(await readFile(path, 'utf8').catch(() => ''));
  if (owner !== undefined) {
    throw new SdkError('SDK_STORAGE_FAILED', `queue directory ${dir} is in use by process ${owner}; give each process its own queueDir`);
  }
  await writeFile(path, lockOwnerText());
}
