/**
 * What compaction needs from where the lake lives (a local folder, an S3 prefix), so one protocol
 * (./compact-lake.ts) serves both. Names are relative: a partition is
 * `<zone>/source=…/event_type=…/dt=…/hr=…`, a file is a name inside it. Every operation is
 * idempotent: a crashed compaction runs them again.
 */
import type { LakePartitionFiles } from '../local-lake-files.js';

/** Written once a job's outputs are all staged: from then on the job only rolls forward. */
export interface CompactionJournal {
  readonly id: string;
  readonly partition: string;
  /** Files the outputs replace, removed once every output is published. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface CompactionStore {
  /** Where the store is, for reports: `/data/lake`, `s3://bucket/prefix`. */
  readonly label: string;
  partitions(): Promise<LakePartitionFiles[]>;
  /** Local paths of `names` in `partition` to read (S3: downloaded into `workDir`). */
  fetch(partition: string, names: readonly string[], workDir: string): Promise<string[]>;
  /** Keeps a finished local file as output `name` of job `id`, outside every partition. */
  stage(id: string, name: string, localPath: string): Promise<void>;
  /** Writes the journal atomically (after every output is staged). */
  writeJournal(journal: CompactionJournal): Promise<void>;
  journals(): Promise<CompactionJournal[]>;
  /** Job ids with staged outputs: those without a journal are abandoned (crash before it). */
  stagedJobs(): Promise<string[]>;
  /** Makes output `name` of job `id` visible in `partition` atomically; a no-op once it is there. */
  publish(id: string, name: string, partition: string): Promise<void>;
  /** Removes files from a partition; missing ones are fine. */
  remove(partition: string, names: readonly string[]): Promise<void>;
  /** Removes job `id`'s staged outputs, then its journal. */
  dropJob(id: string): Promise<void>;
}
