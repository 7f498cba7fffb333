import { open } from 'node:fs/promises';

/**
 * fsync of a directory: makes a create, rename or unlink in it durable (POSIX leaves a new
 * directory entry in the page cache until then). Some file systems refuse fsync on a directory
 * (EINVAL, EISDIR on a few network mounts); `tolerant` lets callers whose rename is atomic
 * either way (a queue's compaction) go on, while the collector's WAL wants to know.
 */
export async function syncDir(dir: string, options: { readonly tolerant?: boolean } = {}): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    if (!options.tolerant) throw error;
  } finally {
    await handle.close();
  }
}
