import { lockHolder, lockOwnerText } from '@shopstream/shared/node';
import { join } from 'node:path';
import { WalError } from './errors.js';
import { writeFully, type WalFs } from './wal-fs.js';

/** Name of the lock file in the log directory: `<pid> <boot id> <process start time>`. */
export const LOCK_FILE_NAME = 'LOCK';

/**
 * Claims the log directory for this process, so two collectors on one volume (a rolling deploy
 * gone wrong) cannot both write segments. A lock is taken over when its owner is this process, is
 * dead or a zombie, or is a different process that reuses the pid (another boot, another start
 * time): a stale lock must never keep a restarted collector down. A live owner makes open fail
 * with `COLLECTOR_WAL_LOCKED`. Returns the release function for `close()`.
 */
export async function lockWalDir(fs: WalFs, dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE_NAME);
  const owner = await fs.readFile(path).then((bytes) => Buffer.from(bytes).toString('utf8'), () => '');
  const pid = lockHolder(owner);
  if (pid !== undefined) {
    throw new WalError('COLLECTOR_WAL_LOCKED', `The write-ahead log in ${dir} is in use by process ${pid}; two collectors must not share one log directory.`);
  }
  const file = await fs.open(path, 'w');
  try {
    await writeFully(file, Buffer.from(lockOwnerText()), 0);
  } finally {
    await file.close();
  }
  return async () => {
    await fs.unlink(path).catch(() => {});
  };
}
