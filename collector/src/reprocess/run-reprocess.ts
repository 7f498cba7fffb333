/**
 * One backfill or redrive run: read a zone's rows in a range of hours, turn them back into events
 * (./candidates.ts), leave out every event whose id the clean zone already holds or this run has
 * already taken (so a second run adds nothing), and hand the rest, in batches per source, to
 * `send` (a running collector, ./resend.ts) or to the offline preview (`--dry-run`, ./preview.ts).
 *
 * Memory: the clean zone's ids (read once, whole zone: an event may have landed in any hour)
 * plus one file's rows plus one pending batch per source.
 */
import type { LakeZone } from '@shopstream/shared';
import type { NotRedrivable } from './candidates.js';
import { candidateOf } from './candidates.js';
import type { LakeStore } from './lake-store.js';
import type { Progress } from './progress.js';
import type { BatchOutcome, EventBatch } from './resend.js';

export interface ReprocessOptions {
  readonly zone: 'raw' | 'failed';
  readonly fromMs?: number;
  readonly toMs?: number;
  /**
   * Read the clean zone's ids from this hour on only (default: the whole zone). Cheaper on a large
   * lake; an event whose id landed in clean before it is sent again (within the collector's dedupe
   * window, the collector drops it).
   */
  readonly cleanFromMs?: number;
  /** Only rows of this source (partitions `source=<id>`). */
  readonly source?: string;
  /** JSON body bytes per batch; below the collector's `ingest.jsonBodyBytesMax` (512,000). */
  readonly batchBytesMax?: number;
  readonly batchEventsMax?: number;
  /** Batches sent at once (default 4). */
  readonly inFlightMax?: number;
}

export interface ReprocessReport {
  files: number;
  rows: number;
  /** Events that would be (dry run) or were sent. */
  sent: number;
  passed: number;
  failed: number;
  failedByCode: Record<string, number>;
  /** Already in clean, or seen earlier in this run. */
  duplicate: number;
  alreadyClean: number;
  notRedrivable: number;
  notRedrivableBy: Partial<Record<NotRedrivable, number>>;
}

const BATCH_BYTES_MAX_DEFAULT = 256 * 1024;
const BATCH_EVENTS_MAX_DEFAULT = 500;
const IN_FLIGHT_MAX_DEFAULT = 4;

export async function cleanIds(store: LakeStore, fromMs?: number): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const partition of await store.partitions('clean', fromMs)) {
    for await (const file of store.files(partition)) for (const row of file.rows) if (typeof row.id === 'string') ids.add(row.id);
  }
  return ids;
}

export async function runReprocess(store: LakeStore, options: ReprocessOptions, send: (batch: EventBatch) => Promise<BatchOutcome>, progress: Progress): Promise<ReprocessReport> {
  const bytesMax = options.batchBytesMax ?? BATCH_BYTES_MAX_DEFAULT;
  const eventsMax = options.batchEventsMax ?? BATCH_EVENTS_MAX_DEFAULT;
  const inFlightMax = options.inFlightMax ?? IN_FLIGHT_MAX_DEFAULT;
  const report: ReprocessReport = { files: 0, rows: 0, sent: 0, passed: 0, failed: 0, failedByCode: {}, duplicate: 0, alreadyClean: 0, notRedrivable: 0, notRedrivableBy: {} };
  progress.update('reading the clean zone\'s ids');
  const taken = await cleanIds(store, options.cleanFromMs);
  const partitions = (await store.partitions(options.zone as LakeZone, options.fromMs, options.toMs)).filter((p) => options.source === undefined || p.partition.split('/')[1] === `source=${options.source}`);
  const filesTotal = partitions.reduce((n, p) => n + p.files.length, 0);
  const pending = new Map<string, { parts: string[]; bytes: number }>();

  // Up to `inFlightMax` batches at once: the collector commits concurrent requests in one WAL
  // fsync. Each batch's outcome is counted when it answers; the first failure ends the run.
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const flush = async (source: string) => {
    const batch = pending.get(source);
    if (!batch || batch.parts.length === 0) return;
    pending.delete(source);
    while (inFlight.size >= inFlightMax) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
    const sending: Promise<void> = send({ source, body: `[${batch.parts.join(',')}]`, count: batch.parts.length }).then(
      (outcome) => {
        report.sent += batch.parts.length;
        report.passed += outcome.passed;
        for (const [code, n] of Object.entries(outcome.failedByCode)) {
          report.failedByCode[code] = (report.failedByCode[code] ?? 0) + n;
          report.failed += n;
        }
      },
      (error: unknown) => {
        failure ??= error;
      },
    ).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  };

  for (const partition of partitions) {
    for await (const file of store.files(partition)) {
      report.files++;
      for (const row of file.rows) {
        report.rows++;
        const candidate = candidateOf(options.zone, row);
        if (candidate.kind === 'skip') {
          report.notRedrivable++;
          report.notRedrivableBy[candidate.why] = (report.notRedrivableBy[candidate.why] ?? 0) + 1;
          continue;
        }
        if (taken.has(candidate.id)) {
          report.duplicate++;
          report.alreadyClean++;
          continue;
        }
        taken.add(candidate.id);
        const json = JSON.stringify(candidate.event);
        const bytes = Buffer.byteLength(json) + 1;
        let batch = pending.get(candidate.source);
        if (batch && (batch.parts.length >= eventsMax || batch.bytes + bytes > bytesMax)) {
          await flush(candidate.source);
          batch = undefined;
        }
        if (!batch) pending.set(candidate.source, (batch = { parts: [], bytes: 2 }));
        batch.parts.push(json);
        batch.bytes += bytes;
      }
      progress.update(`${options.zone}: ${report.files}/${filesTotal} files, ${report.rows} rows, ${report.sent} sent, ${report.passed} passed, ${report.failed} failed, ${report.duplicate} duplicate`);
    }
  }
  for (const source of [...pending.keys()]) await flush(source);
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  progress.done(`${options.zone}: ${report.files}/${filesTotal} files, ${report.rows} rows, ${report.sent} sent, ${report.passed} passed, ${report.failed} failed, ${report.duplicate} duplicate, ${report.notRedrivable} not redrivable`);
  return report;
}
