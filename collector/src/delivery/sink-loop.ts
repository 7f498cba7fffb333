/**
 * One delivery loop per sink, with its own WAL cursor. (Just over 300 lines: the cursor protocol and
 * the batching around it are one loop whose replay rules hold only together.)
 *
 *
 *   read WAL from `committed` → process → route → batch within the sink's limits (records,
 *   bytes, linger) → save `inflight` → write (retry, breaker, dead-letter) → save `committed`
 *
 * Invariants: the cursor only moves past records the sink (or the dead-letter path) has made
 * durable; a batch is a whole range of WAL records, and `inflight` is saved before the first
 * write, so after a crash the same range is re-read, re-processed and cut into the same chunks:
 * sinks see identical records and write identical names. The loop waits on the WAL for new data
 * (no polling). Writing, retries, the breaker and dead letters are ./chunk-writer.ts; this file
 * is the cursor protocol and batching.
 */
import type { Logger } from 'pino';
import type { Processor } from '../pipeline/processor.js';
import type { Sink, SinkRecord } from '../sinks/sink.js';
import type { Lsn, WriteAheadLog } from '../wal/wal.js';
import { LogEvent } from '../telemetry/events.js';
import { invariant, isInvariantError } from '../invariant.js';
import { backoffMs } from './backoff.js';
import { recordBytes } from './chunk.js';
import { ChunkWriter } from './chunk-writer.js';
import { systemClock, type Clock } from './clock.js';
import type { CursorStore } from '../wal/cursor-store.js';
import type { DeadLetter } from './dead-letter.js';
import { RateMeter } from './rate-meter.js';
import type { DeliveryObserver, DeliveryPolicy, SinkStatus } from './delivery-types.js';
import type { RecordFilter } from './router.js';

export type { DeliveryObserver, DeliveryPolicy, SinkStatus } from './delivery-types.js';

export interface SinkLoopOptions {
  readonly sink: Sink;
  readonly wal: Pick<WriteAheadLog, 'read' | 'waitForAppend' | 'stats'>;
  readonly cursors: Pick<CursorStore, 'load' | 'save'>;
  readonly processor: Processor;
  readonly accepts: RecordFilter;
  readonly deadLetter: DeadLetter;
  readonly policy: DeliveryPolicy;
  readonly log: Logger;
  readonly observer?: DeliveryObserver;
  readonly clock?: Clock;
  readonly random?: () => number;
}

interface Batch {
  readonly from: Lsn;
  /** Lsn after the batch's last WAL record: the next `committed`. */
  readonly to: Lsn;
  readonly walRecords: number;
  readonly records: SinkRecord[];
}

const IDLE_WAIT_MS = 5_000;
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SinkLoop {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly writer: ChunkWriter;
  private readonly stopController = new AbortController();
  private readonly wakeController = new AbortController();
  private readonly recordRate = new RateMeter();
  private readonly byteRate = new RateMeter();
  private state: SinkStatus['state'] = 'starting';
  private draining = false;
  private committed: Lsn = 0;
  private inflight: { from: Lsn; to: Lsn } | undefined;
  private oldestPendingAtMs: number | undefined;
  private backlogAtStart = 0;
  private appendedAtStart = 0;
  private walRecordsCommitted = 0;
  private batches = 0;
  private loopErrors = 0;
  /** Where the loop fails again and again (a sink down, Redis down): shown in status and logs. */
  private blockedAt: Lsn | undefined;
  private lastError: { message: string; atMs: number } | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: SinkLoopOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.writer = new ChunkWriter({
      sink: options.sink, deadLetter: options.deadLetter, policy: options.policy, log: options.log, observer: options.observer,
      clock: this.clock, random: this.random, noteError: (error) => this.noteError(error),
    });
  }

  get name(): string {
    return this.options.sink.name;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Delivers what the WAL holds now, then stops; past `deadlineMs` aborts the write in flight (its range replays on restart). */
  async drain(deadlineMs: number): Promise<boolean> {
    this.draining = true;
    this.state = this.state === 'stopped' ? 'stopped' : 'draining';
    this.wakeController.abort();
    const done = this.running ?? Promise.resolve();
    const timer = new Promise<'deadline'>((resolve) => setTimeout(() => resolve('deadline'), deadlineMs).unref());
    const result = await Promise.race([done.then(() => 'drained' as const), timer]);
    if (result === 'deadline') await this.stop();
    return result === 'drained';
  }

  async stop(): Promise<void> {
    this.stopController.abort(new Error('sink loop stopped'));
    this.wakeController.abort();
    await this.running;
  }

  status(): SinkStatus {
    const stats = this.options.wal.stats();
    const now = this.clock.now();
    const lagRecords = Math.max(0, this.backlogAtStart + (stats.appendedRecords - this.appendedAtStart) - this.walRecordsCommitted);
    return {
      sink: this.name,
      state: this.state,
      breaker: this.writer.breaker.state,
      committedLsn: this.committed,
      ...(this.inflight ? { inflight: this.inflight } : {}),
      lagRecords,
      lagBytes: Math.max(0, stats.endLsn - this.committed),
      lagAgeMs: this.oldestPendingAtMs === undefined ? 0 : Math.max(0, now - this.oldestPendingAtMs),
      deliveredRecords: this.writer.delivered,
      deliveredBatches: this.batches,
      deadLetteredRecords: this.writer.deadLettered,
      writeErrors: this.writer.writeErrors,
      loopErrors: this.loopErrors,
      ...(this.blockedAt === undefined ? {} : { blockedAtLsn: this.blockedAt }),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      recordsPerSec: this.recordRate.perSecond(now),
      walBytesPerSec: this.byteRate.perSecond(now),
    };
  }

  private async run(): Promise<void> {
    const signal = this.stopController.signal;
    const { cursors } = this.options;
    try {
      const cursor = await cursors.load(this.name);
      this.committed = cursor.committed;
      this.appendedAtStart = this.options.wal.stats().appendedRecords;
      this.backlogAtStart = await this.countBacklog(signal);
      this.state = this.draining ? 'draining' : 'running';
      this.options.log.info({ event: LogEvent.SinkStarted, sink: this.name, committed: this.committed, inflight: cursor.inflight, backlogRecords: this.backlogAtStart }, `sink ${this.name} starts at Lsn ${this.committed}`);
      let replay = cursor.inflight && cursor.inflight.to > cursor.committed ? cursor.inflight.to : undefined;
      let failures = 0;
      while (!signal.aborted) {
        try {
          if (replay === undefined && this.draining && this.committed >= this.options.wal.stats().endLsn) break;
          const batch = await this.collect(this.committed, replay, signal);
          if (!batch) continue;
          if (batch.walRecords === 0) {
            // A replayed range the WAL no longer holds (corrupt records skipped, retention or a
            // repair past it): nothing to resend; the cursor moves to what is left of it.
            if (batch.to > this.committed) await cursors.save(this.name, { committed: batch.to });
            this.committed = Math.max(this.committed, batch.to);
            this.inflight = undefined;
            this.oldestPendingAtMs = undefined;
            replay = undefined;
            continue;
          }
          if (replay === undefined) await cursors.save(this.name, { committed: this.committed, inflight: { from: batch.from, to: batch.to } });
          this.inflight = { from: batch.from, to: batch.to };
          await this.writer.deliver(batch.records, signal);
          await cursors.save(this.name, { committed: batch.to });
          this.commit(batch);
          replay = undefined;
          failures = 0;
          this.blockedAt = undefined;
        } catch (error) {
          if (signal.aborted) break;
          if (isInvariantError(error)) throw error; // a bug: no retry can fix it (see ../invariant.ts)
          failures += 1;
          this.loopErrors += 1;
          this.blockedAt = this.committed;
          // The records wait since at least now, even if none was read: lagAgeMs grows and /readyz turns red after lagAgeMaxMs.
          this.oldestPendingAtMs ??= this.clock.now();
          this.noteError(error as Error);
          this.options.log.error(
            { event: LogEvent.SinkLoopError, sink: this.name, blockedAtLsn: this.committed, inflight: this.inflight, failures, err: error },
            `sink ${this.name} cannot get past the WAL record at Lsn ${this.committed} (${failures} tries); retrying`,
          );
          await this.clock.sleep(backoffMs(failures, this.options.policy, this.random), signal).catch(() => undefined);
        }
      }
      if (this.draining && !signal.aborted) this.options.log.info({ event: LogEvent.SinkDrained, sink: this.name, committed: this.committed }, `sink ${this.name} drained`);
    } finally {
      this.state = 'stopped';
    }
  }

  private commit(batch: Batch): void {
    // Invariants (sink loop header; WAL README 3): the cursor moves forward only, over the range
    // just delivered, and never past what the WAL made durable.
    invariant(batch.to > batch.from && batch.from >= this.committed, () => `sink ${this.name}: cursor would move from ${this.committed} over [${batch.from}, ${batch.to})`);
    invariant(batch.to <= this.options.wal.stats().endLsn, () => `sink ${this.name}: delivered up to ${batch.to}, past the WAL's durable end ${this.options.wal.stats().endLsn}`);
    const now = this.clock.now();
    this.committed = batch.to;
    this.inflight = undefined;
    this.oldestPendingAtMs = undefined;
    this.walRecordsCommitted += batch.walRecords;
    this.batches += 1;
    this.recordRate.add(batch.records.length, now);
    this.byteRate.add(batch.to - batch.from, now);
  }

  private async countBacklog(signal: AbortSignal): Promise<number> {
    let count = 0;
    let next = this.committed;
    for (;;) {
      let seen = 0;
      for await (const record of this.options.wal.read(next, 4096)) {
        seen += 1;
        next = record.nextLsn;
        if (signal.aborted) return count + seen;
      }
      count += seen;
      if (seen === 0) return count;
    }
  }

  /**
   * Reads whole WAL records into one batch. With `until`, re-reads exactly `[from, until)` (a
   * replay). Otherwise stops before the record that would overflow the sink's limits, or when
   * the linger time since the first record passed and no more data is waiting. Resolves
   * `undefined` when woken with nothing to send.
   */
  private async collect(from: Lsn, until: Lsn | undefined, signal: AbortSignal): Promise<Batch | undefined> {
    const { limits } = this.options.sink;
    const records: SinkRecord[] = [];
    let bytes = 0;
    let walRecords = 0;
    let next = from;
    let lingerUntilMs = Number.POSITIVE_INFINITY;
    const batch = (): Batch => ({ from, to: next, walRecords, records });
    for (;;) {
      let seen = 0;
      for await (const walRecord of this.options.wal.read(next, this.options.policy.readRecordsMax)) {
        if (until !== undefined && walRecord.lsn >= until) {
          if (walRecords === 0) next = until; // nothing readable was left in the replayed range
          return batch();
        }
        // Processing is CPU work on the thread that also acknowledges batches: give pending
        // I/O (HTTP, fsync completions) a turn between WAL records so acks never queue behind delivery.
        await yieldToIo();
        // Pending from the moment a record is seen, before processing it: a record that cannot
        // be processed (retryable) still shows as lag.
        if (walRecords === 0) this.oldestPendingAtMs ??= this.clock.now();
        const processed = await this.options.processor.process(walRecord);
        // A stage's dependency is down (Redis): the loop's catch backs off and reads this record again.
        if (processed.status === 'retry') throw new Error(`stage ${processed.stage} asks to retry: ${processed.error.message}`, { cause: processed.error });
        const routed = processed.records.filter(this.options.accepts);
        const routedBytes = routed.reduce((sum, r) => sum + recordBytes(r), 0);
        if (until === undefined && walRecords > 0 && (records.length + routed.length > limits.recordsMax || bytes + routedBytes > limits.bytesMax)) return batch();
        if (walRecords === 0) {
          if (processed.receivedAtMs > 0) this.oldestPendingAtMs = Math.min(this.oldestPendingAtMs ?? processed.receivedAtMs, processed.receivedAtMs);
          lingerUntilMs = this.clock.now() + limits.lingerMs;
        }
        for (const r of routed) records.push(r);
        bytes += routedBytes;
        walRecords += 1;
        seen += 1;
        next = walRecord.nextLsn;
        if (until !== undefined && next >= until) return batch();
        if (until === undefined && (records.length >= limits.recordsMax || bytes >= limits.bytesMax)) return batch();
      }
      if (signal.aborted) return undefined;
      if (until !== undefined) {
        // The WAL ends before the saved inflight range (a repair cut its tail): send what exists.
        if (seen === 0) {
          // Nothing at all from here: end the replay at the WAL's end (an empty batch) instead of
          // asking again and again.
          if (walRecords === 0) next = Math.max(from, Math.min(until, this.options.wal.stats().endLsn));
          return batch();
        }
        continue;
      }
      if (seen > 0) continue;
      const now = this.clock.now();
      if (walRecords > 0 && (now >= lingerUntilMs || this.draining)) return batch();
      if (walRecords === 0 && this.draining) return undefined;
      await this.waitForData(next, walRecords > 0 ? lingerUntilMs - now : IDLE_WAIT_MS, signal);
    }
  }

  private async waitForData(after: Lsn, timeoutMs: number, stop: AbortSignal): Promise<void> {
    const done = new AbortController();
    const onStop = () => done.abort();
    stop.addEventListener('abort', onStop, { once: true });
    this.wakeController.signal.addEventListener('abort', onStop, { once: true });
    try {
      await Promise.race([this.options.wal.waitForAppend(after, done.signal), this.clock.sleep(Math.max(0, timeoutMs), done.signal).catch(() => undefined)]);
    } finally {
      done.abort();
      stop.removeEventListener('abort', onStop);
      this.wakeController.signal.removeEventListener('abort', onStop);
    }
  }

  private noteError(error: Error | undefined): void {
    this.lastError = { message: error?.message ?? 'unknown error', atMs: this.clock.now() };
  }
}
