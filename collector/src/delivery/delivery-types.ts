/** The delivery loop's policy, its metric hooks and the status it reports (/v1/status, gauges, backpressure). */
import type { DeliveryConfig } from '../config/config.js';
import type { Lsn } from '../wal/wal.js';
import type { BreakerState } from './circuit-breaker.js';

export type DeliveryPolicy = Pick<DeliveryConfig, 'retriesMax' | 'backoffBaseMs' | 'backoffMaxMs' | 'breakerFailuresMax' | 'breakerOpenMs' | 'readRecordsMax' | 'writeTimeoutMs'>;

/** Hooks for metrics; every method is called once per write or batch, never per record. */
export interface DeliveryObserver {
  delivered(sink: string, records: number, bytes: number): void;
  writeFailed(sink: string, status: 'retryable' | 'partial' | 'failure', error: Error | undefined): void;
  deadLettered(sink: string, records: number, code: string): void;
  breakerChanged(sink: string, state: BreakerState): void;
}

export interface SinkStatus {
  readonly sink: string;
  readonly state: 'starting' | 'running' | 'draining' | 'stopped';
  readonly breaker: BreakerState;
  readonly committedLsn: Lsn;
  readonly inflight?: { readonly from: Lsn; readonly to: Lsn };
  /** WAL records (requests) not yet delivered. */
  readonly lagRecords: number;
  readonly lagBytes: number;
  /** Age of the oldest undelivered record; 0 when caught up. */
  readonly lagAgeMs: number;
  readonly deliveredRecords: number;
  readonly deliveredBatches: number;
  readonly deadLetteredRecords: number;
  readonly writeErrors: number;
  /** Times the loop failed and started over (sink I/O, a retryable stage such as Redis dedupe). */
  readonly loopErrors: number;
  /** Set while the loop keeps failing: the Lsn of the WAL record it cannot get past. */
  readonly blockedAtLsn?: Lsn;
  readonly lastError?: { readonly message: string; readonly atMs: number };
  readonly recordsPerSec: number;
  /** WAL bytes committed per second over the last 10 s: the drain rate behind `Retry-After`. */
  readonly walBytesPerSec: number;
}
