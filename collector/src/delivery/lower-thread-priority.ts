/**
 * Lowers the calling thread's scheduling priority (Linux: `setpriority` on the thread id read
 * from `/proc/thread-self`). The delivery worker runs below the acknowledgement path: when the
 * cores are busy, acks go first and delivery uses what is left; its lag is bounded by the WAL
 * quota and `lagAgeMaxMs` (503 + Retry-After), never by dropping anything. Elsewhere (no /proc)
 * it does nothing and says so.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

export function lowerThreadPriority(niceness: number): { ok: true; tid: number } | { ok: false; reason: string } {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isSafeInteger(tid) || tid <= 0) return { ok: false, reason: 'no thread id in /proc/thread-self' };
    setPriority(tid, niceness);
    return { ok: true, tid };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
