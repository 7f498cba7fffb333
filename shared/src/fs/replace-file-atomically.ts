import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDir } from './sync-dir.js';

/** The file operations an atomic replace needs: `node:fs/promises` fits, and so does a test's faulty file system. */
export interface ReplaceFs {
  open(path: string, flags: 'w'): Promise<{
    write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
    datasync(): Promise<void>;
    close(): Promise<void>;
  }>;
  rename(from: string, to: string): Promise<void>;
  syncDir(dir: string): Promise<void>;
}

const nodeReplaceFs: ReplaceFs = { open: (path, flags) => open(path, flags), rename, syncDir: (dir) => syncDir(dir, { tolerant: true }) };

/**
 * Replaces `path` with `body` so that a crash or power loss leaves either the old or the new
 * file, never a mix: write `<path>.tmp`, fdatasync, rename over `path`, fsync the directory.
 * Concurrent replaces of one path must be serialised by the caller (they share the temp name).
 */
export async function replaceFileAtomically(path: string, body: Uint8Array, fs: ReplaceFs = nodeReplaceFs): Promise<void> {
  const temp = `${path}.tmp`;
  const file = await fs.open(temp, 'w');
  try {
    for (let done = 0; done < body.length; ) {
      const { bytesWritten } = await file.write(body, done, body.length - done, done);
      if (bytesWritten <= 0) throw Object.assign(new Error(`write to ${temp} wrote 0 bytes`), { code: 'EIO' });
      done += bytesWritten;
    }
    await file.datasync();
  } finally {
    await file.close();
  }
  await fs.rename(temp, path);
  await fs.syncDir(dirname(path));
}
