import { syncDir } from '@shopstream/shared/node';
import { open, readdir, rename, stat, unlink, mkdir, readFile } from 'node:fs/promises';

/**
 * The file operations the log needs, a subset of `node:fs/promises`' `FileHandle` so the real
 * one fits as is. Passed in (README "I/O passed in") so tests can fail a write with ENOSPC or
 * tear it halfway without monkey-patching.
 */
export interface WalFile {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** Directory-level operations; `syncDir` makes a create, rename or unlink durable. */
export interface WalFs {
  /** `r`: read only; `r+`: read/write an existing file; `w`: create or truncate for writing. */
  open(path: string, flags: 'r' | 'r+' | 'w' | 'wx'): Promise<WalFile>;
  readdir(dir: string): Promise<string[]>;
  stat(path: string): Promise<{ size: number; mtimeMs: number }>;
  readFile(path: string): Promise<Uint8Array>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(dir: string): Promise<void>;
  syncDir(dir: string): Promise<void>;
}

/** The real file system. */
export const nodeWalFs: WalFs = {
  open: (path, flags) => open(path, flags),
  readdir: (dir) => readdir(dir),
  stat: (path) => stat(path),
  readFile: (path) => readFile(path),
  rename: (from, to) => rename(from, to),
  unlink: (path) => unlink(path),
  mkdir: async (dir) => {
    await mkdir(dir, { recursive: true });
  },
  syncDir: (dir) => syncDir(dir),
};

/** fsync of a directory (one copy for the SDK and the collector, in `@shopstream/shared/node`); strict here: the log must know. */
export { syncDir };

/** Writes all of `bytes` at `position`, looping over short writes. */
export async function writeFully(file: WalFile, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await file.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten <= 0) throw Object.assign(new Error('write wrote 0 bytes'), { code: 'EIO' });
    done += bytesWritten;
  }
}

/** Reads up to `length` bytes at `position` into a new buffer; shorter only at end of file. */
export async function readFully(file: WalFile, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

export function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}
