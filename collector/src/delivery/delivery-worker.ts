/**
 * The delivery worker's entry (`dist/delivery-worker.js`): everything after the WAL, on its own
 * thread and core, so the post-WAL chain and the sinks (decode, JSON, gzip: ~600 µs per 100-event
 * request) do not queue behind or in front of acknowledgements.
 *
 * Ownership (wal/README.md "Followers"): the main thread writes segments and deletes them
 * (retention reads the cursor files); this thread reads segments up to the durable end the main
 * thread posts, and is the one writer of the cursor files. Nothing here acknowledges anything:
 * if this thread dies, cursors stand where they were saved and the main thread starts a new
 * worker, which replays from them (inflight ranges re-cut identically, so files are overwritten,
 * not doubled).
 */
import { resolve } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { walRecordBytesMax } from '../config/config.js';
import { createIngestRuntime } from '../pipeline/ingest-runtime.js';
import { sinkCountersOf } from '../sinks/sink-counters.js';
import { LogEvent } from '../telemetry/events.js';
import { createLogger } from '../telemetry/log.js';
import { openWalFollower } from '../wal/wal-follower.js';
import { buildDelivery } from './build-delivery.js';
import { lowerThreadPriority } from './lower-thread-priority.js';
import { ObservedCallsRecorder } from './observed-calls.js';
import { sinkTypes } from '../sinks/built-in-sink-types.js';
import type { DeliveryReport, DeliveryWorkerData, FromDeliveryWorker, ToDeliveryWorker } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('delivery-worker.js runs as a worker thread (see delivery-thread.ts)');
const data = workerData as DeliveryWorkerData;
const { config } = data;
const post = (message: FromDeliveryWorker): void => port.postMessage(message);

// Listen at once: snapshots posted while the sinks are being built must not be missed.
const early: ToDeliveryWorker[] = [];
let handle: (message: ToDeliveryWorker) => void = (message) => early.push(message);
port.on('message', (message: ToDeliveryWorker) => handle(message));

const log = createLogger(config.log.level).child({ thread: 'delivery' });
if (config.delivery.workerNice > 0) {
  const lowered = lowerThreadPriority(config.delivery.workerNice);
  if (!lowered.ok) log.warn({ event: LogEvent.DeliveryWorkerStarted, reason: lowered.reason }, `delivery thread keeps the process's priority: ${lowered.reason}`);
}
const observer = new ObservedCallsRecorder();
const wal = await openWalFollower(
  {
    dir: resolve(config.wal.dir),
    segmentBytesMax: config.wal.segmentBytesMax,
    recordBytesMax: walRecordBytesMax(config.limits),
    cursorNames: config.sinks.map((s) => s.name),
    onCorrupt: (range) => log.error({ event: LogEvent.WalCorruptSkipped, ...range }, `WAL: skipped ${range.bytes} corrupt bytes at Lsn ${range.lsn}`),
  },
  data.wal,
);
const ingest = await createIngestRuntime(config, config.ingest, { log });
const cursors = config.wal.archive ? (await import('../wal/archive/start-wal-archive.js')).archivedCursors(wal.cursors, config.wal.archive, data.nodeId, log) : wal.cursors;
const { delivery, sinks } = await buildDelivery({ config, wal, cursors, ingest, types: new Map(sinkTypes.map((t) => [t.type, t])), nodeId: data.nodeId, log, observer });
const report = (): DeliveryReport => ({ sinks: delivery.status(), sinkCounters: sinkCountersOf(sinks), corruptRecordsSkipped: wal.stats().corruptRecordsSkipped, observed: observer.take(), atMs: Date.now() });

let stopping = false;
const timer = setInterval(() => post({ type: 'report', report: report() }), data.reportIntervalMs);
handle = (message) => {
  switch (message.type) {
    case 'wal':
      wal.advance(message.wal);
      return;
    case 'report':
      post({ type: 'report', id: message.id, report: report() });
      return;
    case 'reloadSchemas':
      void ingest.reloadSchemas().then((outcome) => post({ type: 'reloaded', id: message.id, outcome }));
      return;
    case 'stop':
      if (stopping) return;
      stopping = true;
      void stop(message.drainDeadlineMs);
      return;
  }
};

async function stop(drainDeadlineMs: number): Promise<void> {
  clearInterval(timer);
  const drained = drainDeadlineMs > 0 ? await delivery.drain(drainDeadlineMs) : (await delivery.stop(), false);
  wal.close();
  await Promise.all(sinks.map((sink) => sink.close?.()));
  await ingest.close();
  post({ type: 'stopped', drained, report: report() });
  log.flush?.();
  port!.close();
}

delivery.start();
post({ type: 'ready', report: report() });
for (const message of early.splice(0)) handle(message);
