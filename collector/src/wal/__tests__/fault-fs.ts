import { nodeWalFs, type WalFile, type WalFs } from '../wal-fs.js';

/** Switches a test flips to make the next file operations fail like a real disk would. */
export interface Faults {
  /** Writes put down half their bytes, then fail with ENOSPC. */
  diskFull: boolean;
  /** datasync fails with EIO. */
  syncFails: boolean;
  /** rename fails with EIO (a crash between temp file and rename). */
  renameFails: boolean;
  writes: number;
  syncs: number;
  reads: number;
}

function errnoError(code: string): Error {
  return Object.assign(new Error(`${code}: simulated by the test`), { code });
}

/** The real file system with switchable faults and counters; I/O passed in, no monkey-patching. */
export function faultyFs(): { fs: WalFs; faults: Faults } {
  const faults: Faults = { diskFull: false, syncFails: false, renameFails: false, writes: 0, syncs: 0, reads: 0 };
  const wrap = (file: WalFile): WalFile => ({
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
      if (faults.syncFails) throw errnoError('EIO');
      return file.datasync();
    },
    truncate: (length) => file.truncate(length),
    stat: () => file.stat(),
    close: () => file.close(),
  });
  const fs: WalFs = {
    ...nodeWalFs,
    open: async (path, flags) => wrap(await nodeWalFs.open(path, flags)),
    rename: async (from, to) => {
      if (faults.renameFails) throw errnoError('EIO');
      return nodeWalFs.rename(from, to);
    },
  };
  return { fs, faults };
}
