/**
 * `shopstream-collector lake compact`: one compaction run over the local lake (`--dir`, or the
 * config's `lake.dir` when a lake sink is configured) and every configured S3 sink's bucket and
 * prefix. Prints one line per store; exit 1 when a store failed.
 */
import { resolve } from 'node:path';
import type { CollectorConfig } from '../config/config.js';
import { createS3Client, type AwsClientOptions } from '../sinks/aws/clients.js';
import { compactLake } from './compaction/compact-lake.js';
import type { CompactionJournal, CompactionStore } from './compaction/compaction-store.js';
import { localCompactionStore } from './compaction/local-compaction-store.js';
import { s3CompactionStore } from './compaction/s3-compaction-store.js';
import { createDuckdbSession } from './duckdb-session.js';
import type { LakeCatalog } from './lake-catalog.js';

function numberFlag(args: readonly string[], name: string): number | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = Number(args[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} takes a whole number`);
  return value;
}

export async function compactCommand(config: CollectorConfig, catalog: LakeCatalog, args: readonly string[]): Promise<number> {
  const dirAt = args.indexOf('--dir');
  const stores: CompactionStore[] = [];
  if (dirAt >= 0) stores.push(localCompactionStore(resolve(args[dirAt + 1]!)));
  else if (config.sinks.some((s) => s.type === 'lake')) stores.push(localCompactionStore(resolve(config.lake.dir)));
  for (const sink of config.sinks.filter((s) => s.type === 's3')) {
    stores.push(s3CompactionStore(createS3Client(sink.client as AwsClientOptions), sink.bucket as string, sink.prefix as string));
  }
  const closedAfterMs = numberFlag(args, '--closed-after-ms');
  const targetBytes = numberFlag(args, '--target-bytes');
  const session = createDuckdbSession();
  let failed = 0;
  try {
    for (const store of stores) {
      try {
        const verbose = args.includes('--verbose')
          ? {
              onPartition: (job: CompactionJournal, rows: number) => console.log(`${store.label}/${job.partition}: ${job.inputs.length} files → ${job.outputs.length}, ${rows} rows`),
              onRecovery: (id: string, how: string) => console.log(`${store.label}: job ${id} of an interrupted run ${how}`),
              onStep: (step: string, job: CompactionJournal) => console.log(`${store.label}/${job.partition}: ${step}`),
            }
          : {};
        const report = await compactLake(store, { catalog, session, ...verbose, ...(closedAfterMs === undefined ? {} : { closedAfterMs }), ...(targetBytes === undefined ? {} : { targetBytes }) });
        console.log(`${store.label}: ${report.partitions} partitions compacted, ${report.filesBefore} files → ${report.filesAfter}, ${report.rows} rows; ${report.recovered} interrupted runs finished, ${report.abandoned} abandoned removed`);
      } catch (error) {
        failed++;
        console.error(`${store.label}: compaction failed: ${(error as Error).message}`);
      }
    }
  } finally {
    await session.close();
  }
  return failed > 0 ? 1 : 0;
}
