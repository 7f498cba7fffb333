/**
 * `redrive --dead-letters`: records a sink refused (dead letters in the failed zone) are written
 * to THAT sink again, from the config as it is now (after the fix: a raised limit, a created
 * table, a stream that exists again). Not through the collector: the other sinks hold those
 * records already, and the deduper would drop them.
 *
 * Per dead-letter file: its records go to their sink in chunks within the sink's `limits`; when
 * every record was accepted the file gets a marker (./lake-markers.ts) and later runs skip it.
 * A record refused again is counted by code and its file stays unmarked, for the next fix.
 * Retryable answers are tried `TRIES_MAX` times, then counted as `retryable` (exit 1).
 */
import type { Logger } from 'pino';
import type { CollectorConfig } from '../config/config.js';
import type { SinkType } from '../sinks/sink-type.js';
import type { Sink, SinkRecord } from '../sinks/sink.js';
import { deadLetterEntry } from './dead-letter-record.js';
import type { LakeStore } from './lake-store.js';
import type { Progress } from './progress.js';

export interface DeadLetterReport {
  files: number;
  filesSkippedAsDone: number;
  records: number;
  resent: number;
  refusedByCode: Record<string, number>;
  /** Still failing after every try (the sink unreachable): run again later. */
  retryable: number;
  /** Dead letters of sinks the config no longer has, or rows without what a resend needs. */
  unsendable: number;
}

export interface DeadLetterOptions {
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly source?: string;
  readonly dryRun: boolean;
  readonly types: ReadonlyMap<string, SinkType>;
  readonly log: Logger;
  readonly nodeId: string;
  readonly sleep?: (ms: number) => Promise<void>;
}

const TRIES_MAX = 3;
const WRITE_TIMEOUT_MS = 60_000;

export async function resendDeadLetters(store: LakeStore, config: CollectorConfig, options: DeadLetterOptions, progress: Progress): Promise<DeadLetterReport> {
  const report: DeadLetterReport = { files: 0, filesSkippedAsDone: 0, records: 0, resent: 0, refusedByCode: {}, retryable: 0, unsendable: 0 };
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const sinks = new Map<string, Promise<Sink | undefined>>();
  const sinkNamed = (name: string) => {
    let made = sinks.get(name);
    if (!made) {
      const entry = config.sinks.find((s) => s.name === name);
      made = entry ? Promise.resolve(options.types.get(entry.type)!.create(entry, { log: options.log, nodeId: options.nodeId })) : Promise.resolve(undefined);
      sinks.set(name, made);
    }
    return made;
  };
  const refused = (code: string, n: number) => (report.refusedByCode[code] = (report.refusedByCode[code] ?? 0) + n);

  /** Writes one chunk; answers how many records are done for good (accepted). */
  const writeChunk = async (sink: Sink, chunk: readonly SinkRecord[]): Promise<boolean> => {
    let pending = chunk;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const outcome = await sink.write(pending, AbortSignal.timeout(WRITE_TIMEOUT_MS)).catch((error: unknown) => ({ status: 'retryable' as const, error: error as Error }));
      if (outcome.status === 'success') {
        report.resent += pending.length;
        return true;
      }
      if (outcome.status === 'failure') {
        refused(codeOf(outcome.error), pending.length);
        return false;
      }
      if (outcome.status === 'partial') {
        const refusedCount = (outcome.refused ?? []).reduce((n, r) => n + r.records.length, 0);
        for (const r of outcome.refused ?? []) refused(codeOf(r.error), r.records.length);
        report.resent += pending.length - outcome.retry.length - refusedCount;
        if (refusedCount > 0 && outcome.retry.length === 0) return false;
        pending = outcome.retry;
      }
      if (attempt >= TRIES_MAX) {
        report.retryable += pending.length;
        return false;
      }
      await sleep(1000 * attempt);
    }
    return true;
  };

  for (const partition of await store.partitions('failed', options.fromMs, options.toMs)) {
    if (options.source !== undefined && partition.partition.split('/')[1] !== `source=${options.source}`) continue;
    if (!partition.files.some((f) => f.name.includes('dlq-'))) continue;
    const only = { ...partition, files: partition.files.filter((f) => f.name.includes('dlq-')) };
    for await (const file of store.files(only)) {
      if (await store.markers.has(partition.partition, file.file)) {
        report.filesSkippedAsDone++;
        continue;
      }
      report.files++;
      const bySink = new Map<string, SinkRecord[]>();
      let complete = true;
      for (const row of file.rows) {
        const entry = deadLetterEntry(row, partition.hourStartMs);
        if (!entry) continue; // not a dead letter (a refused event beside it)
        report.records++;
        let list = bySink.get(entry.sink);
        if (!list) bySink.set(entry.sink, (list = []));
        list.push(entry.record);
      }
      for (const [name, records] of bySink) {
        const sink = options.dryRun ? undefined : await sinkNamed(name);
        if (options.dryRun) {
          if (!config.sinks.some((s) => s.name === name)) report.unsendable += records.length;
          complete = false;
          continue;
        }
        if (!sink) {
          report.unsendable += records.length;
          complete = false;
          continue;
        }
        // The delivery engine enforces the per-record limit before a sink sees a record: so does this.
        const fitting = records.filter((r) => Buffer.byteLength(r.json) <= sink.limits.recordBytesMax);
        if (fitting.length < records.length) {
          refused('COLLECTOR_RECORD_TOO_LARGE', records.length - fitting.length);
          complete = false;
        }
        for (const chunk of chunksWithin(fitting, sink.limits.recordsMax, sink.limits.bytesMax)) if (!(await writeChunk(sink, chunk))) complete = false;
      }
      if (complete && !options.dryRun) await store.markers.set(partition.partition, file.file);
      progress.update(`dead letters: ${report.files} files, ${report.records} records, ${report.resent} resent`);
    }
  }
  for (const made of sinks.values()) await (await made)?.close?.();
  progress.done(`dead letters: ${report.files} files (${report.filesSkippedAsDone} done before), ${report.records} records, ${report.resent} resent, ${Object.values(report.refusedByCode).reduce((a, b) => a + b, 0)} refused again`);
  return report;
}

function* chunksWithin(records: readonly SinkRecord[], recordsMax: number, bytesMax: number): Generator<SinkRecord[]> {
  let chunk: SinkRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = Buffer.byteLength(record.json);
    if (chunk.length > 0 && (chunk.length >= recordsMax || bytes + size > bytesMax)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

function codeOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.name;
}
