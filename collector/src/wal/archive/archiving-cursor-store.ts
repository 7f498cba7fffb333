/**
 * A cursor store that keeps the archive's copy of every sink cursor in step with the batches the
 * sink writes (../README.md "Archive: Cursors in the archive"). Wraps any `CursorStore` and keeps
 * its interface, so the delivery loops do not know the archive exists.
 *
 * - A save with `inflight` waits until the archive holds `inflight.to` (the `_archive` cursor),
 *   PUTs the state to the archive, then saves it locally: the batch is written only after both,
 *   so a restored log replays exactly that range and overwrites the same S3 keys.
 * - A save of `committed` alone is local at once and reaches the archive in the background; the
 *   archive only ever gets the newest state of a name (one upload at a time per name, each taking
 *   the latest state when it starts).
 */
import type { CursorState, CursorStore } from '../cursor-store.js';
import { WalError } from '../errors.js';
import type { Lsn } from '../wal.js';
import { ARCHIVE_CURSOR_NAME, cursorKey } from './archive-layout.js';
import type { ArchiveStore } from './archive-store.js';

export interface ArchivingCursorStoreOptions {
  readonly store: ArchiveStore;
  /** `<prefix>/<nodeId>`. */
  readonly base: string;
  /** What the archive holds; default: the saved `_archive` cursor of `inner` (written by the shipper's thread). */
  readonly archivedLsn?: () => Promise<Lsn>;
  /** Longest a batch waits for the archive before its save fails (the sink loop retries it). Default 30 s. */
  readonly waitMsMax?: number;
  /** How often the archive's progress is checked while a batch waits. Default 25 ms. */
  readonly pollMs?: number;
  /** A background upload of a `committed` state failed (the next save uploads the latest again). */
  readonly onError?: (error: Error) => void;
}

export function archivingCursorStore(inner: CursorStore, options: ArchivingCursorStoreOptions): CursorStore {
  const archivedLsn = options.archivedLsn ?? (async () => (await inner.load(ARCHIVE_CURSOR_NAME)).committed);
  const waitMsMax = options.waitMsMax ?? 30_000;
  const pollMs = options.pollMs ?? 25;
  const latest = new Map<string, CursorState>();
  const chains = new Map<string, Promise<void>>();
  /** Names with an upload queued that has not started: a later save needs no upload of its own. */
  const queued = new Set<string>();

  const upload = (name: string): Promise<void> => {
    if (queued.has(name)) return chains.get(name)!;
    queued.add(name);
    const next = (chains.get(name) ?? Promise.resolve()).catch(() => undefined).then(async () => {
      queued.delete(name);
      const state = latest.get(name)!;
      await options.store.put(cursorKey(options.base, name), Buffer.from(JSON.stringify(state) + '\n'));
    });
    chains.set(name, next);
    return next;
  };

  const waitArchived = async (lsn: Lsn): Promise<void> => {
    const deadline = Date.now() + waitMsMax;
    for (;;) {
      const archived = await archivedLsn();
      if (archived >= lsn) return;
      if (Date.now() >= deadline) {
        throw new WalError('COLLECTOR_WAL_ARCHIVE_BEHIND', `The WAL archive holds the log up to Lsn ${archived}, not yet ${lsn}, after ${waitMsMax} ms; delivery waits for it (is S3 reachable?).`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };

  return {
    load: (name) => inner.load(name),
    list: () => inner.list(),
    async save(name, state) {
      if (state.inflight) {
        await waitArchived(state.inflight.to);
        latest.set(name, state);
        await upload(name);
        await inner.save(name, state);
        return;
      }
      await inner.save(name, state);
      latest.set(name, state);
      upload(name).catch((error: unknown) => options.onError?.(error as Error));
    },
  };
}
