/**
 * Removes temp files a killed collector left in the lake. `writeLakeFile` writes
 * `_tmp/<pid>-<n>-<name>` (older versions: `.tmp-<pid>-<name>` beside the final name) and renames
 * it into the partition; a kill -9 between the two leaves the temp file, and the replay writes
 * the final name under a NEW pid, so nothing else ever removes it.
 *
 * A temp file is stale, and removed, when
 * - its pid is not a live process, or
 * - its pid is this process (containers reuse pid 1 on every start) and it is older than this
 *   process, or
 * - it is older than `staleMs` (a pid reused by some unrelated process), default 1 h: one lake
 *   write takes well under a second, so no live write is that old.
 * Only names matching `.tmp-<digits>-…` at most `DEPTH_MAX` folders deep are looked at; final
 * files and anything else are never touched.
 */
import { pidIsAlive } from '@shopstream/shared/node';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LAKE_TEMP_DIR } from './lake-writer.js';

const TEMP_NAME = /^\.tmp-(\d+)-/;
/** Names inside `<lake>/_tmp/`. */
const STAGED_NAME = /^(\d+)-/;
/** `<zone>/source=…/event_type=…/dt=…/hr=…/file`: temp files sit 5 folders below the lake root. */
const DEPTH_MAX = 6;

export interface LakeTempSweepOptions {
  readonly staleMs?: number;
  readonly nowMs?: () => number;
  /** Start of this process in epoch ms. */
  readonly startedAtMs?: number;
  readonly pid?: number;
  readonly isAlive?: (pid: number) => boolean;
}

export interface LakeTempSweepResult {
  readonly removed: number;
  readonly kept: number;
}

export async function sweepLakeTempFiles(lakeDir: string, options: LakeTempSweepOptions = {}): Promise<LakeTempSweepResult> {
  const nowMs = options.nowMs ?? Date.now;
  const staleMs = options.staleMs ?? 3_600_000;
  const ownPid = options.pid ?? process.pid;
  const startedAtMs = options.startedAtMs ?? Date.now() - process.uptime() * 1000;
  const isAlive = options.isAlive ?? pidIsAlive;
  let removed = 0;
  let kept = 0;

  const visit = async (dir: string, depth: number, pattern = TEMP_NAME): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // no lake yet, or removed meanwhile
      throw error;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth === 1 && entry.name === LAKE_TEMP_DIR) await visit(path, DEPTH_MAX, STAGED_NAME);
        else if (depth < DEPTH_MAX) await visit(path, depth + 1);
        continue;
      }
      const match = entry.isFile() ? pattern.exec(entry.name) : null;
      if (!match) continue;
      const pid = Number(match[1]);
      const mtimeMs = await stat(path).then((s) => s.mtimeMs, () => undefined);
      if (mtimeMs === undefined) continue; // renamed or removed meanwhile
      const stale = nowMs() - mtimeMs > staleMs || (pid === ownPid ? mtimeMs < startedAtMs : !isAlive(pid));
      if (!stale) {
        kept += 1;
        continue;
      }
      await rm(path, { force: true });
      removed += 1;
    }
  };
  await visit(lakeDir, 1);
  return { removed, kept };
}
