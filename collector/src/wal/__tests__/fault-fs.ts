import { nodeWalFs, type WalFile, type WalFs } from '../wal-fs.js';

/** Switches a test flips to make the next file operations fail like a real disk would. */
export interface Faults {
  /** Writes put down half their bytes, then fail with ENOSPC. */
  diskFull: boolean;
  /** datasync fails with EIO. */
  syncFails: boolean;
  /**
   * The next datasync finds a writeback error on its file (once). As Linux reports it (errseq):
   * every handle of the file that was open before anyone reported it fails its next datasync with
   * EIO, once; a handle opened after that does not.
   */
  writebackFails: boolean;
  /** rename fails with EIO (a crash between temp file and rename). */
  renameFails: boolean;
  /** datasync waits in `heldSyncs` until the test releases it, so tests choose the order fdatasyncs end in. */
  holdSyncs: boolean;
  readonly heldSyncs: HeldSync[];
  /** Most datasyncs that were running at once. */
  syncsInFlightPeak: number;
  writes: number;
  syncs: number;
  reads: number;
}

export interface HeldSync {
  /** Which opened file the fdatasync runs on (numbered in open order). */
  readonly handle: number;
  /** Lets the real fdatasync run, or fails it with `code` (EIO) without running it. */
  release(failWith?: string): void;
}

function errnoError(code: string): Error {
  return Object.assign(new Error(`${code}: simulated by the test`), { code });
}

/** The real file system with switchable faults and counters; I/O passed in, no monkey-patching. */
export function faultyFs(): { fs: WalFs; faults: Faults } {
  const faults: Faults = { diskFull: false, syncFails: false, writebackFails: false, renameFails: false, holdSyncs: false, heldSyncs: [], syncsInFlightPeak: 0, writes: 0, syncs: 0, reads: 0 };
  let syncsInFlight = 0;
  let handles = 0;
  /** Per file: writeback errors so far, and whether any handle has reported the last one. */
  const writebackErrors = new Map<string, { count: number; seen: boolean }>();
  const wrap = (file: WalFile, path: string, handle = ++handles): WalFile => {
    const errors = writebackErrors.get(path) ?? { count: 0, seen: true };
    writebackErrors.set(path, errors);
    // A handle sees errors from its open on, and also one nobody has reported yet.
    let reported = errors.seen ? errors.count : errors.count - 1;
    return {
    async write(buffer, offset, length, position) {
      faults.writes += 1;
      if (faults.diskFull) {
        const half = Math.floor(length / 2);
        if (half > 0) await file.write(buffer, offset, half, position);
        throw errnoError('ENOSPC');
      }
      return file.write(buffer, offset, length, position);
    },
    read: (buffer, offset, length, position) => {
      faults.reads += 1;
      return file.read(buffer, offset, length, position);
    },
    async datasync() {
      faults.syncs += 1;
      syncsInFlight += 1;
      faults.syncsInFlightPeak = Math.max(faults.syncsInFlightPeak, syncsInFlight);
      try {
        if (faults.holdSyncs) {
          const failWith = await new Promise<string | undefined>((release) => faults.heldSyncs.push({ handle, release }));
          if (failWith) throw errnoError(failWith);
        }
        if (faults.syncFails) throw errnoError('EIO');
        if (faults.writebackFails) {
          faults.writebackFails = false;
          errors.count += 1;
          errors.seen = false;
        }
        if (reported < errors.count) {
          reported = errors.count;
          errors.seen = true;
          throw errnoError('EIO');
        }
        return await file.datasync();
      } finally {
        syncsInFlight -= 1;
      }
    },
    truncate: (length) => file.truncate(length),
    stat: () => file.stat(),
    close: () => file.close(),
    };
  };
  const fs: WalFs = {
    ...nodeWalFs,
    open: async (path, flags) => wrap(await nodeWalFs.open(path, flags), path),
    rename: async (from, to) => {
      if (faults.renameFails) throw errnoError('EIO');
      return nodeWalFs.rename(from, to);
    },
  };
  return { fs, faults };
}
