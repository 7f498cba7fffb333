import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WalError } from './errors.js';
import { writeFully, type WalFs } from './wal-fs.js';

/** Name of the lock file in the log directory; holds the owner's pid. */
export const LOCK_FILE_NAME = 'LOCK';

/**
 * Claims the log directory for this process, so two collectors on one volume (a rolling deploy
 * gone wrong) cannot both write segments. A lock whose pid is dead (the owner was killed) or is
 * this very process is taken over; a live other pid makes open fail with `COLLECTOR_WAL_LOCKED`.
 * Returns the release function for `close()`.
 */
export async function lockWalDir(fs: WalFs, dir: string, isAlive: (pid: number) => boolean = pidIsAlive): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE_NAME);
  let owner: number | undefined;
  try {
    owner = Number(Buffer.from(await fs.readFile(path)).toString('utf8').trim());
  } catch {
    owner = undefined;
  }
  if (owner !== undefined && Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
    throw new WalError('COLLECTOR_WAL_LOCKED', `The write-ahead log in ${dir} is in use by process ${owner}; two collectors must not share one log directory.`);
  }
  const file = await fs.open(path, 'w');
  try {
    await writeFully(file, Buffer.from(`${process.pid}\n`), 0);
  } finally {
    await file.close();
  }
  return async () => {
    await fs.unlink(path).catch(() => {});
  };
}

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as { code?: unknown }).code === 'EPERM';
  }
  // A killed process nobody has reaped yet (a zombie) still answers signal 0 but holds nothing.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}
