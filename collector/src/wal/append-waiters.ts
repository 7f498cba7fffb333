import type { Lsn } from './wal.js';

/**
 * Readers waiting for the durable end to pass an Lsn (`waitForAppend`): woken by the writer
 * after each fsync, or by a follower when the writer's snapshot arrives. No polling.
 */
export class AppendWaiters {
  private waiters: Array<{ afterLsn: Lsn; resolve: (ok: boolean) => void }> = [];

  constructor(private readonly endLsn: () => Lsn) {}

  wait(afterLsn: Lsn, closed: boolean, signal?: AbortSignal): Promise<boolean> {
    if (this.endLsn() > afterLsn) return Promise.resolve(true);
    if (closed || signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter = {
        afterLsn,
        resolve: (ok: boolean) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(ok);
        },
      };
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        waiter.resolve(false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Resolves `true` for every waiter the durable end has passed. */
  wake(): void {
    const end = this.endLsn();
    const ready = this.waiters.filter((waiter) => end > waiter.afterLsn);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => end <= waiter.afterLsn);
    for (const waiter of ready) waiter.resolve(true);
  }

  /** Resolves every waiter `false` (the log closed). */
  closeAll(): void {
    for (const waiter of this.waiters) waiter.resolve(false);
    this.waiters = [];
  }
}
