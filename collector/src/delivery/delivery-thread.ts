/**
 * The main thread's side of the delivery worker (./delivery-worker.ts): starts it, posts the
 * WAL's durable end after every fsync, keeps the worker's last report for /v1/status, gauges and
 * backpressure, replays its metric calls on this thread's registry, runs retention (this thread
 * owns the segment files), and restarts a worker that dies (backoff 0.5 s doubling to 30 s).
 *
 * Freshness: reports come every `reportIntervalMs` (100 ms); lag bytes are computed here from the
 * WAL's own end, lag age grows from the report's time, and /metrics and /v1/status ask for a fresh
 * report first (`refresh`). While no worker runs, a sink with undelivered bytes ages from the moment
 * the worker was lost, so `lagAgeMaxMs` still answers 503 if delivery stays down.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { CollectorConfig } from '../config/config.js';
import type { IngestObserver } from '../pipeline/ingest-observer.js';
import type { ReloadOutcome } from '../pipeline/schema/reloadable-registry.js';
import type { NamedSinkCounters } from '../sinks/sink-counters.js';
import { LogEvent } from '../telemetry/events.js';
import type { OpenedWal } from '../wal/open-wal.js';
import type { DeliveryObserver, SinkStatus } from './delivery-types.js';
import { replayObserved } from './observed-calls.js';
import { RetentionTimer } from './retention-timer.js';
import type { DeliveryReport, DeliveryWorkerData, FromDeliveryWorker, ToDeliveryWorker } from './worker-protocol.js';

const REPORT_INTERVAL_MS = 100;
const RESTART_BACKOFF_BASE_MS = 500;
const RESTART_BACKOFF_MAX_MS = 30_000;
/** A worker that ran this long resets the restart backoff. */
const HEALTHY_RUN_MS = 60_000;
/** Longest a drain waits past its deadline for the worker to finish closing sinks. */
const STOP_GRACE_MS = 5_000;

export interface DeliveryThreadOptions {
  readonly config: CollectorConfig;
  readonly nodeId: string;
  readonly wal: Pick<OpenedWal, 'snapshot' | 'waitForAppend' | 'stats' | 'applyRetention'>;
  readonly log: Logger;
  /** The main thread's metrics: the worker's calls are replayed here. */
  readonly observer: DeliveryObserver & IngestObserver & { deliveryWorkerRestarted(): void };
  readonly retentionIntervalMs: number;
  /** The worker's entry; default `./delivery-worker.js` beside this module (dist). */
  readonly workerUrl?: URL;
  /** Node flags for the worker (tests running TypeScript pass a loader). */
  readonly execArgv?: readonly string[];
  readonly nowMs?: () => number;
}

export class DeliveryThread {
  private worker: Worker | undefined;
  private report: DeliveryReport | undefined;
  private reportReceivedMs = 0;
  private lostSinceMs: number | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private consecutiveFailures = 0;
  private nextId = 1;
  private readonly pending = new Map<number, (message: FromDeliveryWorker | undefined) => void>();
  private stopped: ((message: Extract<FromDeliveryWorker, { type: 'stopped' }> | undefined) => void) | undefined;
  private readonly retention: RetentionTimer;
  private readonly snapshotAbort = new AbortController();
  private readonly nowMs: () => number;
  /** Workers started after the first (crashes survived). */
  restarts = 0;
  /** The WAL end in the snapshot the worker was spawned with. */
  private spawnedEndLsn = 0;

  constructor(private readonly options: DeliveryThreadOptions) {
    this.nowMs = options.nowMs ?? Date.now;
    this.retention = new RetentionTimer({ applyRetention: () => this.applyRetention() }, options.retentionIntervalMs, options.log);
  }

  /** Starts the worker and resolves once its loops run; rejects if it cannot start (bad sink config, ...). */
  async start(): Promise<void> {
    await this.spawn();
    this.retention.start();
    void this.pumpSnapshots();
  }

  /** The running worker, for diagnostics and tests (terminate it to exercise the restart path). */
  get currentWorker(): Worker | undefined {
    return this.worker;
  }

  status(): SinkStatus[] {
    const report = this.report;
    if (!report) return [];
    const now = this.nowMs();
    const endLsn = this.options.wal.stats().endLsn;
    return report.sinks.map((sink) => {
      const lagBytes = Math.max(0, endLsn - sink.committedLsn);
      let lagAgeMs = sink.lagAgeMs > 0 ? sink.lagAgeMs + Math.max(0, now - this.reportReceivedMs) : 0;
      if (this.lostSinceMs !== undefined && lagBytes > 0) lagAgeMs = Math.max(lagAgeMs, now - this.lostSinceMs);
      return { ...sink, lagBytes, lagAgeMs, ...(this.worker ? {} : { state: 'starting' as const }) };
    });
  }

  drainBytesPerSec(): number {
    const rates = this.status().map((s) => s.walBytesPerSec);
    return rates.length === 0 ? 0 : Math.min(...rates);
  }

  sinkCounters(): readonly NamedSinkCounters[] {
    return this.report?.sinkCounters ?? [];
  }

  corruptRecordsSkipped(): number {
    return this.report?.corruptRecordsSkipped ?? 0;
  }

  /** Asks the worker for a fresh report (before /metrics, /v1/status); gives up after `timeoutMs`. */
  async refresh(timeoutMs = 1_000): Promise<void> {
    await this.request((id) => ({ type: 'report', id }), timeoutMs);
  }

  async reloadSchemas(): Promise<ReloadOutcome> {
    const answer = await this.request((id) => ({ type: 'reloadSchemas', id }), 30_000);
    if (answer?.type === 'reloaded') return answer.outcome;
    return { status: 'failure', error: new Error('the delivery worker did not answer the schema reload') };
  }

  /** Delivers what the WAL holds, up to `deadlineMs`; true when every sink caught up. */
  async drain(deadlineMs: number): Promise<boolean> {
    return this.shutdown(deadlineMs);
  }

  /** Stops without draining (what is left replays on the next start). */
  async stop(): Promise<void> {
    await this.shutdown(0);
  }

  private async shutdown(drainDeadlineMs: number): Promise<boolean> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.snapshotAbort.abort();
    const worker = this.worker;
    let drained = false;
    if (worker) {
      const stopped = new Promise<Extract<FromDeliveryWorker, { type: 'stopped' }> | undefined>((resolve) => (this.stopped = resolve));
      // The last durable end first, so the drain reaches every acknowledged record.
      this.post({ type: 'wal', wal: this.options.wal.snapshot() });
      this.post({ type: 'stop', drainDeadlineMs });
      const timer = setTimeout(() => this.stopped?.(undefined), drainDeadlineMs + STOP_GRACE_MS);
      const message = await stopped;
      clearTimeout(timer);
      if (message) {
        this.accept(message.report);
        drained = message.drained;
      }
      await worker.terminate();
    }
    await this.retention.stop();
    return drained;
  }

  private spawn(): Promise<void> {
    const data: DeliveryWorkerData = { config: this.options.config, nodeId: this.options.nodeId, wal: this.options.wal.snapshot(), reportIntervalMs: REPORT_INTERVAL_MS };
    this.spawnedEndLsn = data.wal.stats.endLsn;
    const worker = new Worker(this.options.workerUrl ?? new URL('./delivery-worker.js', import.meta.url), {
      workerData: data,
      name: 'shopstream-delivery',
      ...(this.options.execArgv ? { execArgv: [...this.options.execArgv] } : {}),
    });
    const startedMs = this.nowMs();
    this.worker = worker;
    return new Promise<void>((resolveStart, rejectStart) => {
      let ready = false;
      let failure: Error | undefined;
      worker.on('message', (message: FromDeliveryWorker) => {
        if (message.type === 'ready') {
          ready = true;
          this.lostSinceMs = undefined;
          this.accept(message.report);
          resolveStart();
        } else if (message.type === 'stopped') {
          this.stopped?.(message);
        } else {
          if (message.type === 'report') this.accept(message.report);
          if (message.id !== undefined) this.answer(message.id, message);
        }
      });
      worker.on('error', (error) => (failure = error));
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        for (const id of [...this.pending.keys()]) this.answer(id, undefined);
        this.stopped?.(undefined);
        if (!ready) rejectStart(failure ?? new Error(`the delivery worker exited with code ${code} before it started`));
        // The first start's failure fails startCollector; after that, every exit is retried.
        if (this.stopping || (!ready && this.restarts === 0)) return;
        this.lostSinceMs ??= this.nowMs();
        this.consecutiveFailures = this.nowMs() - startedMs >= HEALTHY_RUN_MS ? 1 : this.consecutiveFailures + 1;
        const waitMs = Math.min(RESTART_BACKOFF_MAX_MS, RESTART_BACKOFF_BASE_MS * 2 ** (this.consecutiveFailures - 1));
        this.options.log.error({ event: LogEvent.DeliveryWorkerExited, code, err: failure, restartInMs: waitMs }, `delivery worker exited (code ${code}); restarting in ${waitMs} ms, undelivered records replay from the cursors`);
        this.restartTimer = setTimeout(() => this.restart(), waitMs);
      });
    });
  }

  private restart(): void {
    if (this.stopping) return;
    this.restarts += 1;
    this.options.observer.deliveryWorkerRestarted();
    this.spawn().then(
      () => this.options.log.info({ event: LogEvent.DeliveryWorkerStarted, restarts: this.restarts }, 'delivery worker restarted'),
      () => undefined, // its exit handler scheduled the next try
    );
  }

  private accept(report: DeliveryReport): void {
    this.report = report;
    this.reportReceivedMs = this.nowMs();
    replayObserved(report.observed, this.options.observer);
  }

  private post(message: ToDeliveryWorker): void {
    this.worker?.postMessage(message);
  }

  private request(make: (id: number) => ToDeliveryWorker, timeoutMs: number): Promise<FromDeliveryWorker | undefined> {
    if (!this.worker) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.answer(id, undefined), timeoutMs);
      this.pending.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.post(make(id));
    });
  }

  private answer(id: number, message: FromDeliveryWorker | undefined): void {
    const done = this.pending.get(id);
    this.pending.delete(id);
    done?.(message);
  }

  /** After each fsync, the new durable end (and segments) to the worker: it reads no further. */
  private async pumpSnapshots(): Promise<void> {
    // From what the worker was given, not the current end: the listener is open while the worker
    // starts, and a batch acknowledged meanwhile must be announced without waiting for the next.
    let posted = this.spawnedEndLsn;
    while (await this.options.wal.waitForAppend(posted, this.snapshotAbort.signal)) {
      const snapshot = this.options.wal.snapshot();
      this.post({ type: 'wal', wal: snapshot });
      posted = snapshot.stats.endLsn;
    }
  }

  private async applyRetention(): Promise<import('../wal/wal.js').ReleaseResult> {
    const released = await this.options.wal.applyRetention();
    // Segments gone: the worker's view must drop them too (its readers skip missing files meanwhile).
    if (released.deletedSegments > 0) this.post({ type: 'wal', wal: this.options.wal.snapshot() });
    return released;
  }
}
