/**
 * This collector's id in dedupe owner tokens (`<nodeId>:<lsn>:<index>`). It must differ between
 * collectors sharing a Redis (their Lsns overlap) and survive restarts (a replayed record must
 * produce its old token), so it is made once and kept beside the WAL it numbers: a new WAL
 * directory starts Lsns from 0 again and gets a new id with it.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceFileAtomically } from '@shopstream/shared/node';
import { nodeWalFs } from '../../wal/wal-fs.js';

export const NODE_ID_FILE = 'node-id';

export async function loadOrCreateNodeId(walDir: string): Promise<string> {
  const path = join(walDir, NODE_ID_FILE);
  try {
    const text = (await readFile(path, 'utf8')).trim();
    if (/^[A-Za-z0-9_.-]{1,64}$/.test(text)) return text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const id = randomUUID();
  await mkdir(walDir, { recursive: true });
  // Durable before any WAL record is numbered under it: a lost id would re-own replayed events.
  // Through the WAL's file system (a strict directory fsync), like the WAL's own files.
  await replaceFileAtomically(path, Buffer.from(`${id}\n`), nodeWalFs);
  return id;
}
