/**
 * Wiring: opens the WAL, builds sinks, the processor and one delivery loop per sink, and
 * serves HTTP. The listener opens as soon as the WAL and the ack-path gates are ready; the
 * delivery worker (sinks, AWS SDK, schemas) starts beside it, because an acknowledged batch
 * needs only the WAL (records wait there until delivery runs). If delivery cannot start,
 * `startCollector` still fails: the listener closes and nothing acknowledged is lost. Every seam a later stage plugs into is an option of `startCollector`:
 * `ingestGates` (signatures, rate limits) run after write-key auth on the ack path; `stages`
 * reshapes the post-WAL chain (decrypt, validate, dedupe, PII); `sinkTypes` adds sink kinds.
 *
 * Shutdown (`stop`): /readyz turns red and new batches get 503, the server stops listening and
 * lets in-flight requests finish, sinks drain up to `delivery.drainDeadlineMs`, cursors are
 * saved, the WAL closes. Nothing acknowledged depends on the drain: what is left replays.
 */
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { walRecordBytesMax, type CollectorConfig } from './config/config.js';
import { ConfigError } from './config/config-reader.js';
import type { SinkType } from './sinks/sink-type.js';
import { buildDelivery } from './delivery/build-delivery.js';
import type { Delivery } from './delivery/delivery.js';
import { DeliveryThread, type DeliveryThreadOptions } from './delivery/delivery-thread.js';
import { sinkTypes as builtInSinkTypes } from './sinks/built-in-sink-types.js';
import type { SinkStatus } from './delivery/sink-loop.js';
import { admission, unreadyReasons, type LoadSignals } from './http/backpressure.js';
import { writeKeyGate, type IngestGate } from './gates/ingest-gate.js';
import { createCollectorServer } from './http/server.js';
import { DecodedBytesBudget } from './pipeline/limits/decoded-bytes-budget.js';
import type { Stage } from './pipeline/processor.js';
import { createIngestRuntime, type IngestRuntime } from './pipeline/ingest-runtime.js';
import { loadOrCreateNodeId } from './pipeline/dedupe/node-id.js';
import type { ReloadOutcome } from './pipeline/schema/reloadable-registry.js';
import type { Sink } from './sinks/sink.js';
import { LogEvent } from './telemetry/events.js';
import { createLogger } from './telemetry/log.js';
import { CollectorMetrics } from './telemetry/metrics.js';
import { sinkCountersOf, type NamedSinkCounters } from './sinks/sink-counters.js';
import { openWal } from './wal/open-wal.js';
import { ARCHIVE_CURSOR_NAME } from './wal/archive/archive-layout.js';
import type { RunningWalArchive } from './wal/archive/start-wal-archive.js';
import { RECORD_HEADER_BYTES } from './wal/record-format.js';
import type { WalFs } from './wal/wal-fs.js';

export interface CollectorDeps {
  readonly sinkTypes?: readonly SinkType[];
  /** Gates after write-key auth, in order (signatures, rate limits). */
  readonly ingestGates?: readonly IngestGate[];
  /** Changes the post-WAL chain built from the config (tests and benchmarks: a stage that fails, a slow one). */
  readonly stages?: (built: Stage[]) => Stage[];
  /** Ingest stages (auth, limits, decrypt, validate, dedupe, PII); built from `config.ingest` when absent. */
  readonly ingest?: IngestRuntime;
  readonly log?: Logger;
  readonly nowMs?: () => number;
  /** The WAL's file system; tests pass one that fails with ENOSPC. */
  readonly walFs?: WalFs;
  /** Where the delivery worker's entry is and how Node runs it (tests running TypeScript pass a loader). */
  readonly deliveryWorker?: Pick<DeliveryThreadOptions, 'workerUrl' | 'execArgv'>;
}

export interface RunningCollector {
  readonly url: string;
  readonly port: number;
  readonly config: CollectorConfig;
  status(): CollectorStatus;
  /** Graceful: readyz red, finish requests, drain sinks up to the deadline, close. */
  stop(signal?: string): Promise<void>;
  /** Fast: stop serving and delivering without draining (what is left replays on start). */
  close(): Promise<void>;
  /** Re-reads the custom schema folder (SIGHUP); a broken set keeps the previous one. */
  reloadSchemas(): Promise<ReloadOutcome>;
  /** Present when delivery runs in a worker thread (`delivery.thread: worker`): diagnostics and tests. */
  readonly deliveryThread?: DeliveryThread;
}

export interface CollectorStatus {
  readonly ready: boolean;
  readonly reasons: readonly string[];
  readonly uptimeSec: number;
  readonly wal: Record<string, unknown>;
  readonly sinks: readonly SinkStatus[];
}

const RETENTION_INTERVAL_MS = 1_000;

export async function startCollector(config: CollectorConfig, deps: CollectorDeps = {}): Promise<RunningCollector> {
  const log = deps.log ?? createLogger(config.log.level);
  const nowMs = deps.nowMs ?? Date.now;
  const startedMs = nowMs();
  const types = new Map((deps.sinkTypes ?? builtInSinkTypes).map((t) => [t.type, t]));
  // In-process seams that delivery uses (functions, objects) cannot cross into the worker thread:
  // asking for both is refused, never silently moved onto this thread. `walFs` serves the WAL
  // writer, which always runs here, so it works with either.
  const deliverySeams = (['sinkTypes', 'stages', 'ingest'] as const).filter((name) => deps[name] !== undefined);
  if (config.delivery.thread === 'worker' && deliverySeams.length > 0) {
    throw new ConfigError('delivery.thread', `must be "main" when ${deliverySeams.join(', ')} ${deliverySeams.length > 1 ? 'are' : 'is'} given in-process (they cannot cross into the delivery worker thread)`, config.delivery.thread);
  }
  const inWorker = config.delivery.thread === 'worker';
  // Gauges read the delivery engine at scrape time, so metrics can exist before it does.
  let delivery: DeliveryEngine | undefined;
  let sinks: Sink[] = [];
  let archive: RunningWalArchive | undefined;
  const metrics = new CollectorMetrics({ walArchive: () => archive?.shipper.status(), walBytesOnDisk: () => wal.stats().bytesOnDisk, walQuotaBytes: config.wal.quotaBytes, sinks: () => delivery?.status() ?? [], sinkCounters: () => delivery?.sinkCounters() ?? [] });

  const wal = await openWal({
    dir: resolve(config.wal.dir),
    segmentBytesMax: config.wal.segmentBytesMax,
    recordBytesMax: walRecordBytesMax(config.limits), // every body the HTTP limits accept fits one record
    fsync: config.wal.fsync === 'always' ? { mode: 'always' } : { mode: 'interval', intervalMs: config.wal.fsyncIntervalMs },
    syncsInFlightMax: config.wal.syncsInFlightMax,
    retainMs: config.wal.retainMs,
    // Kept copies of delivered segments may fill half the quota, never push ingest into 503s.
    retainBytesMax: Math.floor(config.wal.quotaBytes / 2),
    // The archive's progress is a cursor too: retention keeps every segment not archived yet.
    cursorNames: [...config.sinks.map((s) => s.name), ...(config.wal.archive ? [ARCHIVE_CURSOR_NAME] : [])],
    ...(deps.walFs ? { fs: deps.walFs } : {}),
    onFsync: (info) => metrics.walFsynced(info.latencyMs),
    onCorrupt: (range) => log.error({ event: LogEvent.WalCorruptSkipped, ...range }, `WAL: skipped ${range.bytes} corrupt bytes at Lsn ${range.lsn}`),
  });
  if (wal.recovery.truncatedBytes > 0 || wal.recovery.skippedCorruptRecords > 0) {
    log.warn({ event: LogEvent.WalRecovered, ...wal.recovery }, 'WAL recovered: a torn tail was cut or corrupt records will be skipped');
  }

  // Stable per WAL dir (or `ingest.nodeId`): the dedupe owner tokens and S3 object names carry it.
  const nodeId = deps.ingest?.nodeId ?? config.ingest.nodeId ?? (await loadOrCreateNodeId(resolve(config.wal.dir)));
  if (config.wal.archive) {
    // The archive (and the S3 client) loads only when configured.
    const { startWalArchive } = await import('./wal/archive/start-wal-archive.js');
    archive = await startWalArchive({ config: config.wal.archive, ack: config.wal.ack, nodeId, wal, dir: resolve(config.wal.dir), log, ...(deps.walFs ? { fs: deps.walFs } : {}) });
  }
  const stopArchive = async (flush: boolean) => archive?.shipper.stop({ flush });
  const ingest = deps.ingest ?? (await createIngestRuntime(config, config.ingest, { log, nowMs, postWal: !inWorker, onThrottled: (source, limit) => metrics.ingestThrottled(source, limit) }));
  let thread: DeliveryThread | undefined;
  if (inWorker) {
    thread = new DeliveryThread({ config, nodeId, wal, log, observer: metrics, retentionIntervalMs: RETENTION_INTERVAL_MS, ...deps.deliveryWorker });
    delivery = thread;
  } else {
    const cursors = config.wal.archive ? (await import('./wal/archive/start-wal-archive.js')).archivedCursors(wal.cursors, config.wal.archive, nodeId, log) : wal.cursors;
    const built = await buildDelivery({ config, wal, cursors, ingest, types, nodeId, log, observer: metrics, retentionIntervalMs: RETENTION_INTERVAL_MS, ...(deps.stages ? { reshape: deps.stages } : {}) });
    sinks = built.sinks;
    delivery = { ...pick(built.delivery), sinkCounters: () => sinkCountersOf(sinks), corruptRecordsSkipped: () => 0, refresh: () => Promise.resolve() };
  }
  const engine = delivery;

  let shuttingDown = false;
  const signals: LoadSignals = {
    walBytesOnDisk: () => wal.stats().bytesOnDisk,
    walQuotaBytes: config.wal.quotaBytes,
    lagAgeMaxMs: config.delivery.lagAgeMaxMs,
    sinkLags: () => engine.status(),
    drainBytesPerSec: () => engine.drainBytesPerSec(),
    shuttingDown: () => shuttingDown,
  };
  const status = (): CollectorStatus => {
    const reasons = unreadyReasons(signals);
    const walStats = wal.stats();
    return { ready: reasons.length === 0, reasons, uptimeSec: Math.round((nowMs() - startedMs) / 1000), wal: { ...walStats, corruptRecordsSkipped: walStats.corruptRecordsSkipped + engine.corruptRecordsSkipped(), quotaBytes: config.wal.quotaBytes, recovery: wal.recovery, ...(archive ? { archive: archive.shipper.status() } : {}) }, sinks: engine.status() };
  };

  const server = createCollectorServer({
    config,
    log,
    metrics,
    unreadyReasons: () => unreadyReasons(signals),
    status,
    refresh: () => engine.refresh(),
    batch: {
      limits: config.limits,
      gates: [writeKeyGate(config.sources), ...ingest.ingestGates, ...(deps.ingestGates ?? [])],
      admission: () => admission(signals),
      append: async (record) => {
        const [lsn] = await wal.append([record]);
        // `wal.ack: replicated`: the answer waits until the archive holds the record too.
        if (config.wal.ack === 'replicated') await archive!.shipper.waitArchived(lsn! + RECORD_HEADER_BYTES + record.length, config.wal.archive!.ackTimeoutMs);
      },
      metrics,
      log,
      nowMs,
      ...(config.ingest.syncValidationAllowed ? { syncValidation: { byDefault: ingest.syncValidationByDefault, check: (record) => ingest.validateSync(record) } } : {}),
      decodedBudget: new DecodedBytesBudget(config.limits.decodedBytesInFlightMax),
    },
  });
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(config.listen.port, config.listen.host, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
  } catch (error) {
    // A port in use must not leave the delivery worker (or loops) running and the WAL locked.
    await engine.stop();
    await stopArchive(false);
    await wal.close();
    await Promise.all(sinks.map((sink) => sink.close?.()));
    await ingest.close();
    throw error;
  }
  try {
    await engine.start();
  } catch (error) {
    // Batches acknowledged meanwhile are in the WAL and replay on the next start.
    shuttingDown = true;
    await closeServer(server, 0);
    await engine.stop().catch(() => undefined);
    await stopArchive(false);
    await wal.close();
    await Promise.all(sinks.map((sink) => sink.close?.()));
    await ingest.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host}:${port}`;
  log.info({ event: LogEvent.CollectorStarted, url, recovery: wal.recovery }, `collector listening on ${url}`);

  let stopping: Promise<void> | undefined;
  const shutdown = (drainDeadlineMs: number, reason: string) =>
    (stopping ??= (async () => {
      shuttingDown = true;
      log.info({ event: LogEvent.CollectorStopping, reason, drainDeadlineMs }, `collector stopping (${reason})`);
      await closeServer(server, drainDeadlineMs > 0 ? config.limits.requestTimeoutMs : 0);
      const drained = drainDeadlineMs > 0 ? await engine.drain(drainDeadlineMs) : (await engine.stop(), false);
      await stopArchive(drainDeadlineMs > 0);
      await wal.close();
      await Promise.all(sinks.map((sink) => sink.close?.()));
      await ingest.close();
      log.info({ event: LogEvent.CollectorStopped, drained }, drained ? 'collector stopped; every sink caught up' : 'collector stopped; undelivered records replay on next start');
      log.flush?.();
    })());

  return {
    url,
    port,
    config,
    status,
    stop: (signal = 'stop') => shutdown(config.delivery.drainDeadlineMs, signal),
    close: () => shutdown(0, 'close'),
    reloadSchemas: async () => {
      // Both threads hold schemas: this one for sync validation, the worker for delivery.
      const [mine, theirs] = await Promise.all([ingest.reloadSchemas(), thread ? thread.reloadSchemas() : undefined]);
      return theirs && theirs.status === 'failure' ? theirs : mine;
    },
    ...(thread ? { deliveryThread: thread } : {}),
  };
}

/** What the app needs of delivery, on this thread (`Delivery`) or in a worker (`DeliveryThread`). */
interface DeliveryEngine {
  start(): void | Promise<void>;
  status(): SinkStatus[];
  drainBytesPerSec(): number;
  drain(deadlineMs: number): Promise<boolean>;
  stop(): Promise<void>;
  sinkCounters(): readonly NamedSinkCounters[];
  corruptRecordsSkipped(): number;
  /** Fresh figures before /metrics and /v1/status (a worker reports every 100 ms). */
  refresh(): Promise<void>;
}

function pick(delivery: Delivery): Pick<DeliveryEngine, 'start' | 'status' | 'drainBytesPerSec' | 'drain' | 'stop'> {
  return { start: () => delivery.start(), status: () => delivery.status(), drainBytesPerSec: () => delivery.drainBytesPerSec(), drain: (ms) => delivery.drain(ms), stop: () => delivery.stop() };
}

/** Stops listening, lets in-flight requests finish (up to `graceMs`), then drops idle and remaining connections. */
async function closeServer(server: import('node:http').Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((done) => server.close(() => done()));
  server.closeIdleConnections();
  const timer = new Promise<void>((done) => setTimeout(done, graceMs).unref());
  await Promise.race([closed, timer]);
  server.closeAllConnections();
  await closed;
}
