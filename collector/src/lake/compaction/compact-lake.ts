/**
 * Compaction: rewrites each closed partition (an hour that no longer receives events) into files
 * of about `targetBytes`, so engines open few large files instead of many small ones.
 *
 * Protocol, per partition (one job, id = hash of the partition and its input names):
 *   1. read the inputs with DuckDB (explicit columns from the catalog), drop rows whose
 *      (requestId, walLsn, walIndex) repeats, write outputs `c-<id>-<k>.<ext>` in a work folder;
 *   2. stage every output outside the partitions (`_compact/<id>/`), then write the journal
 *      `{ partition, inputs, outputs }` atomically;
 *   3. publish every output into the partition (atomic rename; on S3 a copy);
 *   4. remove the inputs; 5. drop the staged outputs and the journal.
 * A crash before 2 leaves staged files without a journal: the next run removes them and the
 * inputs are untouched. A crash after 2 is rolled forward by the next run (every step is
 * idempotent). So `kill -9` at any moment loses nothing and, once the next run finishes,
 * duplicates nothing; and a run over a compacted lake changes nothing.
 *
 * The swap window: between 3 and 4 a reader listing the partition sees outputs and inputs, i.e.
 * the hour's rows twice (and a query that listed the inputs just before 4 may fail to open one).
 * It lasts as long as removing the partition's inputs (milliseconds locally, one DeleteObjects
 * call on S3). On S3 with Glue, use a new prefix and switch the partition's location instead.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckdbSession } from '../duckdb-session.js';
import type { LakeCatalog } from '../lake-catalog.js';
import type { LakePartitionFiles } from '../local-lake-files.js';
import { columnListSql, readLakeRowsSql, syncFile } from '../parquet-writer.js';
import { quoteLiteral } from '../sql-types.js';
import type { TableSchema } from '../table-schema.js';
import type { CompactionJournal, CompactionStore } from './compaction-store.js';

const HOUR_MS = 3_600_000;
const COMPACTED = /^c-[0-9a-f]{16}-\d+\./;

export interface CompactOptions {
  readonly catalog: LakeCatalog;
  readonly session: DuckdbSession;
  /** A partition is closed once its hour ended this long ago. Default 15 min (past every roll age and delivery lag). */
  readonly closedAfterMs?: number;
  /** Output file size aimed at, bytes. Default 256 MiB. */
  readonly targetBytes?: number;
  readonly nowMs?: () => number;
  /** Local folder for downloads and outputs before staging; default the OS temp folder. */
  readonly workDir?: string;
  /** Called between steps, for crash tests: `staged`, `journal`, `published`, `removed`. */
  readonly onStep?: (step: 'staged' | 'journal' | 'published' | 'removed', job: CompactionJournal) => void | Promise<void>;
  /** Called after each partition is compacted (progress for `lake compact --verbose`). */
  readonly onPartition?: (job: CompactionJournal, rows: number) => void;
  /** Called for each job a crashed run left: rolled forward (it had a journal) or abandoned. */
  readonly onRecovery?: (id: string, how: 'rolled forward' | 'abandoned') => void;
}

export interface CompactionReport {
  /** Jobs a crashed run left, rolled forward. */
  readonly recovered: number;
  /** Abandoned staged outputs removed. */
  readonly abandoned: number;
  readonly partitions: number;
  readonly filesBefore: number;
  readonly filesAfter: number;
  readonly rows: number;
}

function tableOf(catalog: LakeCatalog, partition: LakePartitionFiles): TableSchema {
  if (partition.zone === 'failed' || partition.zone === 'audit') return catalog.table(partition.zone, 'request');
  return catalog.table(partition.zone, catalog.eventTypeOf(partition.slug) ?? `\u0000${partition.slug}`);
}

/**
 * Inputs of a partition: all its files once any is not a compaction output and there are two or
 * more; none otherwise (a compacted hour stays as it is). A file arriving in a compacted hour (a
 * lagging sink, or a batch replayed after a crash that met an earlier compaction) so rewrites the
 * whole hour, and the rewrite keeps each (requestId, walLsn, walIndex) once: no replay survives
 * as a duplicate. Late files are rare; correctness beats rewriting a large hour now and then.
 */
export function compactionInputs(partition: LakePartitionFiles): string[] {
  if (partition.files.length < 2 || partition.files.every((f) => COMPACTED.test(f.name))) return [];
  return partition.files.map((f) => f.name);
}

async function finish(store: CompactionStore, job: CompactionJournal, options: CompactOptions): Promise<void> {
  for (const name of job.outputs) await store.publish(job.id, name, job.partition);
  await options.onStep?.('published', job);
  await store.remove(job.partition, job.inputs);
  await options.onStep?.('removed', job);
  await store.dropJob(job.id);
}

export async function compactLake(store: CompactionStore, options: CompactOptions): Promise<CompactionReport> {
  const closedAfterMs = options.closedAfterMs ?? 15 * 60_000;
  const targetBytes = options.targetBytes ?? 256 * 1024 * 1024;
  const now = (options.nowMs ?? Date.now)();
  let recovered = 0;
  let abandoned = 0;
  const journals = await store.journals();
  for (const job of journals) {
    await finish(store, job, options);
    options.onRecovery?.(job.id, 'rolled forward');
    recovered++;
  }
  const journaled = new Set(journals.map((j) => j.id));
  for (const id of await store.stagedJobs()) {
    if (journaled.has(id)) continue;
    await store.dropJob(id);
    options.onRecovery?.(id, 'abandoned');
    abandoned++;
  }

  let partitions = 0;
  let filesBefore = 0;
  let filesAfter = 0;
  let rows = 0;
  for (const partition of await store.partitions()) {
    if (partition.hourStartMs + HOUR_MS + closedAfterMs > now) continue;
    const inputs = compactionInputs(partition);
    if (inputs.length === 0) continue;
    const id = createHash('sha256').update(`${partition.partition}\n${inputs.join('\n')}`).digest('hex').slice(0, 16);
    const work = await mkdtemp(join(options.workDir ?? tmpdir(), `shopstream-compact-${id}-`));
    try {
      const table = tableOf(options.catalog, partition);
      const local = await store.fetch(partition.partition, inputs, work);
      const parquet = inputs.some((name) => name.endsWith('.parquet'));
      const written = await rewrite(options.session, local, table, join(work, 'out'), parquet, targetBytes);
      const ext = parquet ? 'parquet' : 'ndjson.gz';
      const outputs = written.files.map((_, k) => `c-${id}-${k}.${ext}`);
      for (let k = 0; k < outputs.length; k++) await store.stage(id, outputs[k]!, written.files[k]!);
      const job: CompactionJournal = { id, partition: partition.partition, inputs, outputs };
      await options.onStep?.('staged', job);
      await store.writeJournal(job);
      await options.onStep?.('journal', job);
      await finish(store, job, options);
      options.onPartition?.(job, written.rows);
      partitions++;
      filesBefore += inputs.length;
      filesAfter += outputs.length;
      rows += written.rows;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  return { recovered, abandoned, partitions, filesBefore, filesAfter, rows };
}

/** DuckDB rewrite of `inputs` into files of about `targetBytes` under `outDir`, fsynced. */
async function rewrite(session: DuckdbSession, inputs: readonly string[], table: TableSchema, outDir: string, parquet: boolean, targetBytes: number): Promise<{ files: string[]; rows: number }> {
  const columns = columnListSql(table);
  const parquetInputs = inputs.filter((f) => f.endsWith('.parquet'));
  const ndjsonInputs = inputs.filter((f) => !f.endsWith('.parquet'));
  const sources = [
    ...(parquetInputs.length ? [`SELECT ${columns} FROM read_parquet([${parquetInputs.map(quoteLiteral).join(', ')}], union_by_name = true, hive_partitioning = false)`] : []),
    ...(ndjsonInputs.length ? [`SELECT ${columns} FROM ${readLakeRowsSql(ndjsonInputs, table)}`] : []),
  ];
  // A row written twice (a batch replayed after a crash that met an earlier compaction) is kept once.
  const select =
    `SELECT ${columns} FROM (${sources.join(' UNION ALL BY NAME ')}) ` +
    `QUALIFY row_number() OVER (PARTITION BY "requestId", "walLsn", "walIndex" ORDER BY "walLsn") = 1 ORDER BY "walLsn", "walIndex"`;
  const format = parquet ? `FORMAT parquet, COMPRESSION zstd` : `FORMAT json, COMPRESSION gzip`;
  const [{ Count: count } = { Count: 0 }] = (await session.rows(`COPY (${select}) TO ${quoteLiteral(outDir)} (${format}, FILE_SIZE_BYTES ${targetBytes}, FILENAME_PATTERN 'part_{i}')`)) as { Count?: unknown }[];
  const names = (await readdir(outDir)).sort((a, b) => Number(a.match(/\d+/)?.[0]) - Number(b.match(/\d+/)?.[0]));
  const files: string[] = [];
  for (const name of names) {
    const path = join(outDir, name);
    await syncFile(path);
    files.push(path);
  }
  return { files, rows: Number(count ?? 0) };
}
