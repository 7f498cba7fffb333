import { replaceFileAtomically } from '@shopstream/shared/node';
import { join } from 'node:path';
import { WalError } from './errors.js';
import { CURSOR_DIR_NAME } from './segment-files.js';
import { isMissing, nodeWalFs, type WalFs } from './wal-fs.js';
import type { Lsn } from './wal.js';

/**
 * Where a consumer of the log stands (README "Cursors"). `committed`: everything below is
 * delivered, resume here. `inflight`: the batch being written now, saved before writing so a
 * replay after a crash cuts the same batch (same lake file names, same S3 keys).
 */
export interface CursorState {
  readonly committed: Lsn;
  readonly inflight?: { readonly from: Lsn; readonly to: Lsn };
}

/** Named cursors, each saved atomically (temp file, fdatasync, rename, directory fsync). */
export interface CursorStore {
  /** The saved state; `{ committed: 0 }` for a cursor never saved (it starts at the oldest record). */
  load(name: string): Promise<CursorState>;
  save(name: string, state: CursorState): Promise<void>;
  /** Names of saved cursors, sorted. */
  list(): Promise<string[]>;
}

const CURSOR_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const SUFFIX = '.json';

/** The cursor store of the log in `walDir` (files in `<walDir>/cursors/`). */
export async function openCursorStore(walDir: string, fs: WalFs = nodeWalFs): Promise<CursorStore> {
  const dir = join(walDir, CURSOR_DIR_NAME);
  await fs.mkdir(dir);
  // The folder's own entry must survive a power failure too, or it takes every cursor with it.
  await fs.syncDir(walDir);
  /** Saves of one name run one after another so two temp files never race for the same rename. */
  const chains = new Map<string, Promise<void>>();

  async function write(name: string, state: CursorState): Promise<void> {
    // Temp file `<name>.json.tmp`, fdatasync, rename, directory fsync, through the WAL's fs seam.
    await replaceFileAtomically(join(dir, name + SUFFIX), Buffer.from(JSON.stringify(state) + '\n'), fs);
  }

  return {
    async load(name) {
      checkName(name);
      let text: string;
      try {
        text = Buffer.from(await fs.readFile(join(dir, name + SUFFIX))).toString('utf8');
      } catch (error) {
        if (isMissing(error)) return { committed: 0 };
        throw error;
      }
      return parseCursorState(name, text);
    },
    save(name, state) {
      try {
        checkName(name);
        checkState(name, state);
      } catch (error) {
        return Promise.reject(error);
      }
      const clean: CursorState = state.inflight
        ? { committed: state.committed, inflight: { from: state.inflight.from, to: state.inflight.to } }
        : { committed: state.committed };
      const next = (chains.get(name) ?? Promise.resolve()).catch(() => {}).then(() => write(name, clean));
      chains.set(name, next);
      return next;
    },
    async list() {
      const names = await fs.readdir(dir);
      return names
        .filter((file) => file.endsWith(SUFFIX) && CURSOR_NAME.test(file.slice(0, -SUFFIX.length)))
        .map((file) => file.slice(0, -SUFFIX.length))
        .sort();
    },
  };
}

/** Parses a cursor file; a file that is not a valid state is a broken invariant (saves are atomic). */
export function parseCursorState(name: string, text: string): CursorState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new WalError('COLLECTOR_WAL_CORRUPT', `Cursor "${name}" is not valid JSON; restore it or delete it to replay from the oldest segment.`, { cause });
  }
  const state = value as CursorState;
  try {
    checkState(name, state);
  } catch (cause) {
    throw new WalError('COLLECTOR_WAL_CORRUPT', `Cursor "${name}" holds an invalid state: ${(cause as Error).message}`, { cause });
  }
  return state;
}

function checkName(name: string): void {
  if (!CURSOR_NAME.test(name)) {
    throw new WalError('COLLECTOR_WAL_CURSOR_INVALID', `Cursor name "${name}" must be 1 to 64 characters of A-Z, a-z, 0-9, ".", "_" or "-".`);
  }
}

function checkState(name: string, state: CursorState): void {
  const isLsn = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
  const ok =
    typeof state === 'object' && state !== null && isLsn(state.committed) &&
    (state.inflight === undefined || (isLsn(state.inflight.from) && isLsn(state.inflight.to) && state.inflight.from <= state.inflight.to));
  if (!ok) throw new WalError('COLLECTOR_WAL_CURSOR_INVALID', `Cursor "${name}" needs { committed: Lsn, inflight?: { from <= to } } with Lsns as non-negative integers.`);
}
