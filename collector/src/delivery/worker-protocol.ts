/**
 * Messages between the main thread (HTTP, WAL writer, retention) and the delivery worker
 * (WAL follower, post-WAL chain, sinks, cursor files). Everything here is structured-cloneable.
 *
 *   main → worker: `wal` after every fsync (the durable end readers may reach), `report` on
 *                  demand (/metrics, /v1/status), `reloadSchemas` (SIGHUP), `stop` (drain or not).
 *   worker → main: `ready` once the loops run, `report` every `reportIntervalMs` and on demand,
 *                  `reloaded`, `stopped` (with the last report) just before it exits.
 */
import type { CollectorConfig } from '../config/config.js';
import type { ReloadOutcome } from '../pipeline/schema/reloadable-registry.js';
import type { NamedSinkCounters } from '../sinks/sink-counters.js';
import type { WalSnapshot } from '../wal/wal.js';
import type { SinkStatus } from './delivery-types.js';
import type { ObservedCalls } from './observed-calls.js';

export interface DeliveryWorkerData {
  readonly config: CollectorConfig;
  readonly nodeId: string;
  readonly wal: WalSnapshot;
  readonly reportIntervalMs: number;
}

/** What the main thread shows for delivery: /v1/status, gauges, backpressure, metrics. */
export interface DeliveryReport {
  readonly sinks: readonly SinkStatus[];
  readonly sinkCounters: readonly NamedSinkCounters[];
  readonly corruptRecordsSkipped: number;
  readonly observed: ObservedCalls;
  /** Worker's wall clock when made: lag ages grow from here until the next report. */
  readonly atMs: number;
}

export type ToDeliveryWorker =
  | { readonly type: 'wal'; readonly wal: WalSnapshot }
  | { readonly type: 'report'; readonly id: number }
  | { readonly type: 'reloadSchemas'; readonly id: number }
  /** `drainDeadlineMs` 0: stop now, what is left replays on the next start. */
  | { readonly type: 'stop'; readonly drainDeadlineMs: number };

export type FromDeliveryWorker =
  | { readonly type: 'ready'; readonly report: DeliveryReport }
  | { readonly type: 'report'; readonly id?: number; readonly report: DeliveryReport }
  | { readonly type: 'reloaded'; readonly id: number; readonly outcome: ReloadOutcome }
  | { readonly type: 'stopped'; readonly drained: boolean; readonly report: DeliveryReport };
