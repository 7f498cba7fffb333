import type { SinkCounters } from './sink-counters.js';
import type { LakeZone, Outcome } from '@shopstream/shared';
import type { Lsn } from '../wal/wal.js';

/**
 * One record bound for a sink, made from a WAL record by the processing pipeline. `lsn` and
 * `index` locate it in the WAL so sinks derive deterministic names (lake files, S3 keys) and a
 * replay overwrites instead of duplicating.
 */
export interface SinkRecord {
  readonly lsn: Lsn;
  /** Position of this record among those made from the same WAL record. */
  readonly index: number;
  readonly zone: LakeZone;
  readonly source: string;
  /** Event name (`Product Viewed`), or `request` for audit records. */
  readonly eventType: string;
  /** Event id when the record is an event; Kinesis' default partition key. */
  readonly eventId?: string;
  readonly sessionId?: string;
  readonly userId?: string;
  /** The request that brought the record (the audit zone's `requestId`): lake rows carry it. */
  readonly requestId?: string;
  /** Collector receive time, epoch ms: partitions the lake by dt/hr. */
  readonly receivedAtMs: number;
  /** The record as one line of JSON (no newline), serialised once for every sink. */
  readonly json: string;
}

/** Limits the delivery engine batches within (e.g. Kinesis PutRecords: 500 records, 5 MiB, 1 MiB each). */
export interface SinkLimits {
  readonly recordsMax: number;
  readonly bytesMax: number;
  readonly recordBytesMax: number;
  /** How long the engine may hold a partial batch before writing it (S3 file age). */
  readonly lingerMs: number;
}

/** Records a destination refused for good, with its own reason: dead-lettered, never retried. */
export interface RefusedRecords {
  readonly records: readonly SinkRecord[];
  readonly error: Error;
}

/**
 * `partial`: the records in neither `retry` nor `refused` are durable; `retry` is sent again;
 * `refused` (rows a database refuses, each with its error) goes to the dead-letter path at once.
 */
export type SinkOutcome =
  | Outcome
  | { readonly status: 'partial'; readonly retry: readonly SinkRecord[]; readonly refused?: readonly RefusedRecords[]; readonly error?: Error };

/**
 * A destination. `write` is all-or-report: on `success` every record is durable at the sink;
 * on `partial` only `retry` needs sending again. The engine owns batching, retries, cursors and
 * the dead-letter path, so a sink is only the shape of one destination's API.
 */
export interface Sink {
  readonly name: string;
  readonly limits: SinkLimits;
  /** What the sink reports beyond the loop's own figures (API calls, bytes billed, throttling): /metrics reads it at scrape time. */
  readonly counters?: Readonly<SinkCounters>;
  write(records: readonly SinkRecord[], signal: AbortSignal): Promise<SinkOutcome>;
  close?(): Promise<void>;
}
