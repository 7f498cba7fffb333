import { META_LEASE, type IndexedDbQueue } from '../../storage/indexeddb.js';

/** The Web Locks name all tabs of the shop's origin contend for. */
export const FLUSH_LOCK_NAME = 'shopstream-flush';

interface Lease {
  readonly owner: string;
  readonly expiresMs: number;
}

export interface TabLockOptions {
  readonly queue: IndexedDbQueue;
  /** This tab's id, for the fallback lease. */
  readonly owner: string;
  /** Fallback lease lifetime: a tab that dies holding it blocks the others at most this long. */
  readonly leaseMs: number;
  readonly now: () => number;
  /** `navigator.locks` when the browser has it. */
  readonly locks?: LockManager;
}

/**
 * Many tabs, one sender: runs `fn` only if no other tab of this origin is flushing, so no batch
 * is sent twice concurrently. Uses the Web Locks API (released by the browser even if the tab
 * crashes); without it, a lease record in IndexedDB taken and renewed in readwrite transactions
 * (atomic across tabs) that expires after `leaseMs`. `fn` gets `renew` to call between sends.
 * Resolves with `fn`'s result, or `false` when another tab holds the lock.
 */
export async function withFlushLock<T>(options: TabLockOptions, fn: (renew: () => Promise<boolean>) => Promise<T>): Promise<T | false> {
  const { queue, owner, locks } = options;
  if (locks) return locks.request(FLUSH_LOCK_NAME, { ifAvailable: true }, (lock) => (lock ? fn(async () => true) : false));
  let taken = false;
  const take = async (): Promise<boolean> => {
    await queue.updateMeta<Lease>(META_LEASE, (lease) => {
      const nowMs = options.now();
      taken = !lease || lease.owner === owner || lease.expiresMs <= nowMs;
      return taken ? { owner, expiresMs: nowMs + options.leaseMs } : lease;
    });
    return taken;
  };
  if (!(await take())) return false;
  try {
    return await fn(take);
  } finally {
    await queue.updateMeta<Lease>(META_LEASE, (lease) => (lease?.owner === owner ? undefined : lease));
  }
}
