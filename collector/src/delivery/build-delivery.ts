/**
 * Everything after the WAL, built once from the config: sinks, the post-WAL chain (shared by
 * every sink near the head), the dead-letter path and one loop per sink. The same wiring runs
 * in the main thread (`startCollector` with in-process seams) and in the delivery worker.
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { CollectorConfig } from '../config/config.js';
import type { SinkType } from '../sinks/sink-type.js';
import type { IngestObserver } from '../pipeline/ingest-observer.js';
import type { IngestRuntime } from '../pipeline/ingest-runtime.js';
import { createProcessor, type Stage } from '../pipeline/processor.js';
import type { Sink } from '../sinks/sink.js';
import type { CursorStore } from '../wal/cursor-store.js';
import type { WriteAheadLog } from '../wal/wal.js';
import { createLakeDeadLetter, createSinkDeadLetter } from './dead-letter.js';
import { Delivery } from './delivery.js';
import type { DeliveryObserver } from './delivery-types.js';
import { routeFor } from './router.js';
import { shareProcessed } from './shared-processor.js';
import { withDecodedBytesBudget } from './budgeted-processor.js';
import { DecodedBytesBudget } from '../pipeline/limits/decoded-bytes-budget.js';

/** Sinks near the WAL head share one processing of each record (128 records ≈ 25 MB at most). */
const SHARED_PROCESSED_RECORDS_MAX = 128;

export interface DeliveryParts {
  readonly config: CollectorConfig;
  /** What the loops read; `applyRetention` only where this thread writes the WAL. */
  readonly wal: Pick<WriteAheadLog, 'read' | 'waitForAppend' | 'stats'> & Partial<Pick<WriteAheadLog, 'applyRetention'>>;
  readonly cursors: Pick<CursorStore, 'load' | 'save'>;
  readonly ingest: IngestRuntime;
  readonly types: ReadonlyMap<string, SinkType>;
  readonly nodeId: string;
  readonly log: Logger;
  readonly observer: DeliveryObserver & IngestObserver;
  /** `CollectorDeps.stages`: changes the built chain (tests, benchmarks). */
  readonly reshape?: (built: Stage[]) => Stage[];
  /** How often retention runs when `wal.applyRetention` is given. */
  readonly retentionIntervalMs?: number;
}

export async function buildDelivery(parts: DeliveryParts): Promise<{ delivery: Delivery; sinks: Sink[] }> {
  const { config, wal, log, observer } = parts;
  const sinks: Sink[] = [];
  for (const sinkConfig of config.sinks) sinks.push(await parts.types.get(sinkConfig.type)!.create(sinkConfig, { log, nodeId: parts.nodeId }));
  parts.ingest.warmDedupe(wal); // the dedupe stage of the chain below waits for it
  const stages = parts.ingest.chain('deliver', { observer });
  const budget = new DecodedBytesBudget(config.limits.decodedBytesInFlightMax);
  const chain = createProcessor(parts.reshape ? parts.reshape(stages) : stages);
  const processor = shareProcessed(withDecodedBytesBudget(chain, budget, config.limits.decodedBytesMax), SHARED_PROCESSED_RECORDS_MAX);
  const target = config.sinks.find((s) => s.name === config.delivery.deadLetterSink);
  const deadLetter = target
    ? createSinkDeadLetter(async (failing) => parts.types.get(target.type)!.create({ ...target, name: `dlq-${failing}` }, { log, nodeId: `${parts.nodeId}.dlq-${failing}` }))
    : createLakeDeadLetter(resolve(config.lake.dir));
  const delivery = new Delivery({
    log,
    ...(wal.applyRetention && parts.retentionIntervalMs ? { retention: { wal: { applyRetention: () => wal.applyRetention!() }, intervalMs: parts.retentionIntervalMs } } : {}),
    loops: sinks.map((sink, i) => ({
      sink,
      wal,
      cursors: parts.cursors,
      processor,
      accepts: routeFor(sink.name, config.routing, parts.types.get(config.sinks[i]!.type)!.defaultZones),
      deadLetter,
      policy: config.delivery,
      log,
      observer,
    })),
  });
  return { delivery, sinks };
}
