/**
 * The owner of a directory lock file (a WAL directory, an SDK queue directory), written as
 * `<pid> <boot id> <process start time>\n`. A bare pid alone is not enough: after a reboot or
 * in a container that restarts, a new process often gets the old pid, and a lock that names a
 * live but unrelated process would keep a restarted service down for good. So a lock counts as
 * held only when its pid is alive, not a zombie, on this boot, and started at the recorded time
 * (Linux `/proc`; elsewhere a live pid is taken to be the owner). `-` stands for "unknown"; a
 * lock with the pid only (older files) is judged by liveness and zombie state.
 */
import { readFileSync } from 'node:fs';

/** The lock file's text for this process (or `pid`). */
export function lockOwnerText(pid: number = process.pid): string {
  return `${pid} ${currentBootId() ?? '-'} ${procStat(pid)?.startTime ?? '-'}\n`;
}

/**
 * The pid of the other live process that holds a lock whose file reads `text`, or undefined
 * when the lock is free to take: empty, damaged, this process's own, or left by a dead process
 * (or by an earlier process whose pid was reused).
 */
export function lockHolder(text: string, selfPid: number = process.pid): number | undefined {
  const [pidText, bootId, startTime] = text.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === selfPid || !pidIsAlive(pid)) return undefined;
  const boot = currentBootId();
  if (boot && bootId && bootId !== '-' && bootId !== boot) return undefined;
  const stat = procStat(pid);
  if (!stat) return pid; // no /proc: the pid is alive, assume it is the owner
  // A killed process nobody has reaped yet (a zombie) still answers signal 0 but holds nothing.
  if (stat.state === 'Z' || stat.state === 'X') return undefined;
  return !startTime || startTime === '-' || startTime === stat.startTime ? pid : undefined;
}

/** Signal 0 checks existence: ESRCH means gone; EPERM means alive but someone else's. */
export function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
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
