/**
 * The files of a local lake folder by partition: `<zone>/source=…/event_type=…/dt=…/hr=…/<name>`.
 * Only finished lake files count (`.parquet`, `.ndjson.gz`, not dot-files); the staging folders
 * `_tmp` and `_compact` sit beside the zones and are never listed.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LakeZone } from '@shopstream/shared';

export interface LakePartitionFiles {
  /** `<zone>/source=…/event_type=…/dt=…/hr=…` */
  readonly partition: string;
  readonly zone: LakeZone;
  /** `event_type` value. */
  readonly slug: string;
  /** Start of the partition's hour, epoch ms. */
  readonly hourStartMs: number;
  /** Finished files, sorted by name. */
  readonly files: LakeFile[];
}

export interface LakeFile {
  readonly name: string;
  readonly bytes: number;
}

const ZONES: readonly LakeZone[] = ['raw', 'clean', 'failed', 'audit'];
const LAKE_FILE = /^[^._].*\.(parquet|ndjson\.gz)$/;

async function dirs(path: string, prefix: string): Promise<string[]> {
  try {
    return (await readdir(path, { withFileTypes: true })).filter((e) => e.isDirectory() && e.name.startsWith(prefix)).map((e) => e.name).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function listLakePartitions(root: string, zones: readonly LakeZone[] = ZONES): Promise<LakePartitionFiles[]> {
  const out: LakePartitionFiles[] = [];
  for (const zone of zones) {
    for (const source of await dirs(join(root, zone), 'source=')) {
      for (const type of await dirs(join(root, zone, source), 'event_type=')) {
        for (const dt of await dirs(join(root, zone, source, type), 'dt=')) {
          for (const hr of await dirs(join(root, zone, source, type, dt), 'hr=')) {
            const partition = `${zone}/${source}/${type}/${dt}/${hr}`;
            const names = (await readdir(join(root, partition)).catch(() => [] as string[])).filter((f) => LAKE_FILE.test(f)).sort();
            const files: LakeFile[] = [];
            for (const name of names) {
              const bytes = await stat(join(root, partition, name)).then((s) => s.size, () => undefined);
              if (bytes !== undefined) files.push({ name, bytes }); // else removed meanwhile (a compaction's swap)
            }
            const hourStartMs = Date.parse(`${dt.slice(3)}T${hr.slice(3)}:00:00Z`);
            if (files.length > 0) out.push({ partition, zone, slug: type.slice('event_type='.length), hourStartMs, files });
          }
        }
      }
    }
  }
  return out;
}
