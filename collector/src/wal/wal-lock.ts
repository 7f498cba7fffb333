import { readFileSync } from 'node:fs';
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
  const [pidText, bootId, startTime] = owner.trim().split(' ');
  const pid = Number(pidText);
  if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && processHolds(pid, bootId, startTime)) {
    throw new WalError('COLLECTOR_WAL_LOCKED', `The write-ahead log in ${dir} is in use by process ${pid}; two collectors must not share one log directory.`);
  }
  const file = await fs.open(path, 'w');
  try {
    await writeFully(file, Buffer.from(`${process.pid} ${currentBootId() ?? '-'} ${startTimeOf(process.pid) ?? '-'}\n`), 0);
  } finally {
    await file.close();
  }
  return async () => {
    await fs.unlink(path).catch(() => {});
  };
}

/** True when `pid` is alive and is the very process that wrote the lock (as far as the OS tells). */
function processHolds(pid: number, bootId: string | undefined, startTime: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as { code?: unknown }).code !== 'EPERM') return false;
  }
  const boot = currentBootId();
  if (boot && bootId && bootId !== '-' && bootId !== boot) return false;
  const stat = procStat(pid);
  if (!stat) return true; // no /proc: the pid is alive, assume it is the owner
  // A killed process nobody has reaped yet (a zombie) still answers signal 0 but holds nothing.
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return !startTime || startTime === '-' || startTime === stat.startTime;
}

function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function startTimeOf(pid: number): string | undefined {
  return procStat(pid)?.startTime;
}

/** State and start time (clock ticks since boot) from `/proc/<pid>/stat`, Linux only. */
function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which sits in parentheses and may hold spaces.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}
