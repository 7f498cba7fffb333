/**
 * Compaction on a local lake folder. Staged outputs live in `<lake>/_compact/<id>/`, journals in
 * `<lake>/_compact/<id>.json`: the same file system as the partitions, outside every zone, so
 * publishing is one atomic rename and no reader's glob meets a staged file.
 */
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { replaceFileAtomically, syncDir } from '@shopstream/shared/node';
import { listLakePartitions } from '../local-lake-files.js';
import type { CompactionJournal, CompactionStore } from './compaction-store.js';

export const LAKE_COMPACT_DIR = '_compact';

const exists = (path: string) => stat(path).then(() => true, () => false);

export function localCompactionStore(root: string): CompactionStore {
  const jobs = join(root, LAKE_COMPACT_DIR);
  return {
    label: root,
    partitions: () => listLakePartitions(root),
    async fetch(partition, names) {
      return names.map((name) => join(root, partition, name));
    },
    async stage(id, name, localPath) {
      await mkdir(join(jobs, id), { recursive: true });
      await rename(localPath, join(jobs, id, name));
      await syncDir(join(jobs, id));
    },
    async writeJournal(journal) {
      await mkdir(jobs, { recursive: true });
      await replaceFileAtomically(join(jobs, `${journal.id}.json`), Buffer.from(JSON.stringify(journal)));
    },
    async journals() {
      const names = await readdir(jobs).catch(() => [] as string[]);
      const out: CompactionJournal[] = [];
      for (const name of names.filter((n) => n.endsWith('.json')).sort()) out.push(JSON.parse(await readFile(join(jobs, name), 'utf8')) as CompactionJournal);
      return out;
    },
    async stagedJobs() {
      return (await readdir(jobs, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name);
    },
    async publish(id, name, partition) {
      const staged = join(jobs, id, name);
      const target = join(root, partition, name);
      if (!(await exists(staged))) {
        if (await exists(target)) return; // published before a crash
        throw new Error(`compaction ${id}: output ${name} is neither staged nor in ${partition}`);
      }
      await mkdir(dirname(target), { recursive: true });
      await rename(staged, target);
      await syncDir(dirname(target));
    },
    async remove(partition, names) {
      for (const name of names) await rm(join(root, partition, name), { force: true });
      await syncDir(join(root, partition)).catch(() => undefined);
    },
    async dropJob(id) {
      await rm(join(jobs, id), { recursive: true, force: true });
      await rm(join(jobs, `${id}.json`), { force: true });
      await syncDir(jobs).catch(() => undefined);
    },
  };
}
