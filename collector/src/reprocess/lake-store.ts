/**
 * Where reprocessing reads the lake: the local folder or an S3 sink's bucket and prefix, through
 * the same listing and fetching compaction uses (../lake/compaction/compaction-store.ts), so both
 * layouts are read alike. NDJSON.gz files are read as they are; Parquet files through DuckDB
 * (./parquet-rows.ts), shaped back into the same rows.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { LakeZone } from '@shopstream/shared';
import { CollectorError } from '../errors.js';
import type { CollectorConfig } from '../config/config.js';
import type { CompactionStore } from '../lake/compaction/compaction-store.js';
import { localCompactionStore } from '../lake/compaction/local-compaction-store.js';
import { s3CompactionStore } from '../lake/compaction/s3-compaction-store.js';
import type { LakePartitionFiles } from '../lake/local-lake-files.js';
import { createS3Client, type AwsClientOptions } from '../sinks/aws/clients.js';
import { createDuckdbSession, type DuckdbSession } from '../lake/duckdb-session.js';
import { loadLakeCatalog, type LakeCatalog } from '../lake/lake-catalog.js';
import { localMarkers, s3Markers, type LakeMarkers } from './lake-markers.js';
import { readParquetRows } from './parquet-rows.js';

/** One lake file read back: its rows in file order. */
export interface LakeFileRows {
  readonly partition: LakePartitionFiles;
  readonly file: string;
  readonly rows: Record<string, unknown>[];
}

export interface LakeStore {
  readonly label: string;
  /** Partitions of `zone` whose hour starts within [fromMs, toMs] (both inclusive). */
  partitions(zone: LakeZone, fromMs?: number, toMs?: number): Promise<LakePartitionFiles[]>;
  /** The partition's NDJSON files, one at a time (bounded memory: one file's rows). */
  files(partition: LakePartitionFiles): AsyncIterable<LakeFileRows>;
  /** Dead-letter files already resent (./lake-markers.ts). */
  readonly markers: LakeMarkers;
  close(): Promise<void>;
}

const storeError = (message: string) => new CollectorError('COLLECTOR_REPROCESS_STORE', message);

/**
 * `--dir` wins; else `--sink <name>` (a lake or s3 sink of the config); else the config's first
 * lake sink, else its first s3 sink.
 */
export async function openLakeStore(config: CollectorConfig, options: { readonly dir?: string; readonly sink?: string }): Promise<LakeStore> {
  let store: CompactionStore;
  let markers: LakeMarkers;
  // The folder the writing sink shaped Parquet rows with (its `schemasDir`), so they read back alike.
  let schemasDir = config.sinks.find((s) => s.type === 'lake')?.schemasDir as string | undefined;
  if (options.dir !== undefined) {
    store = localCompactionStore(resolve(options.dir));
    markers = localMarkers(resolve(options.dir));
  }
  else {
    const sink = options.sink !== undefined ? config.sinks.find((s) => s.name === options.sink) : config.sinks.find((s) => s.type === 'lake') ?? config.sinks.find((s) => s.type === 's3');
    if (!sink || (sink.type !== 'lake' && sink.type !== 's3')) throw storeError(options.sink !== undefined ? `no lake or s3 sink named "${options.sink}" in the config` : 'the config has no lake or s3 sink: pass --dir <lake folder>');
    schemasDir = sink.schemasDir as string | undefined;
    if (sink.type === 'lake') {
      store = localCompactionStore(resolve(config.lake.dir));
      markers = localMarkers(resolve(config.lake.dir));
    } else {
      const client = createS3Client(sink.client as AwsClientOptions);
      store = s3CompactionStore(client, sink.bucket as string, sink.prefix as string);
      markers = s3Markers(client, sink.bucket as string, sink.prefix as string);
    }
  }
  const workDir = await mkdtemp(join(tmpdir(), 'shopstream-reprocess-'));
  // Parquet only: DuckDB and the tables the rows were shaped by.
  let session: DuckdbSession | undefined;
  let catalog: Promise<LakeCatalog> | undefined;
  let jsonFiles = 0;
  let listed: Promise<LakePartitionFiles[]> | undefined;
  return {
    label: store.label,
    markers,
    async partitions(zone, fromMs = -Infinity, toMs = Infinity) {
      const all = await (listed ??= store.partitions());
      return all.filter((p) => p.zone === zone && p.hourStartMs >= fromMs && p.hourStartMs <= toMs);
    },
    async *files(partition) {
      for (const { name } of partition.files) {
        const [path] = await store.fetch(partition.partition, [name], workDir);
        let rows: Record<string, unknown>[] = [];
        if (name.endsWith('.parquet')) {
          session ??= createDuckdbSession();
          catalog ??= loadLakeCatalog(schemasDir);
          rows = await readParquetRows(session, path!, join(workDir, `rows-${jsonFiles++}.json`), partition.zone, await catalog);
        } else {
          for (const line of gunzipSync(await readFile(path!)).toString('utf8').split('\n')) if (line !== '') rows.push(JSON.parse(line) as Record<string, unknown>);
        }
        if (path!.startsWith(workDir)) await rm(path!, { force: true });
        yield { partition, file: name, rows };
      }
    },
    async close() {
      await session?.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
