/**
 * One step of the post-WAL chain and what it answers. Stages work on one `BatchUnderWork` (one
 * WAL record, one request) and decide per event by moving it to `rejected` (the failed zone, with
 * a code); what they decide for the whole record is their outcome, a value, never a throw
 * (as Vector's `RetryAction`):
 *
 * - `ok`: go on with the next stage;
 * - `retry`: something the stage depends on is down (Redis dedupe in `failMode: closed`): the
 *   delivery loop backs off and processes the record again; nothing is written for it meanwhile;
 * - `reject`: the whole request is unusable (undecodable body, too many events): one failed-zone
 *   record with the code, which is born here and never renamed on the way out.
 *
 * Invariant: a stage gives the same answer for the same WAL record (a replay re-runs it), and
 * once events are stamped it replaces them rather than mutating them (`raw` keeps what arrived).
 */
import type { EventEnvelope, SharedErrorCode } from '@shopstream/shared';
import type { CollectorErrorCode } from '../../errors.js';
import type { Lsn } from '../../wal/wal.js';
import type { IngestRecord } from '../ingest-record.js';

export type StageOutcome =
  | { readonly status: 'ok' }
  | { readonly status: 'retry'; readonly error: Error }
  | { readonly status: 'reject'; readonly code: CollectorErrorCode | SharedErrorCode; readonly message: string };

export const OK: StageOutcome = Object.freeze({ status: 'ok' });

export function reject(code: CollectorErrorCode | SharedErrorCode, message: string): StageOutcome {
  return { status: 'reject', code, message };
}

export interface Rejection {
  readonly item: unknown;
  readonly code: string;
  readonly message: string;
  readonly stage: string;
}

/** The working state stages read and update; one per WAL record. */
export interface BatchUnderWork {
  readonly lsn: Lsn;
  readonly ingest: IngestRecord;
  readonly receivedAt: string;
  /** Items as decoded from the body (set by `decode`). */
  decoded: unknown[];
  /** What arrived, stamped (set by `stamp`): the raw zone. */
  raw: EventEnvelope[];
  /** Events still going forward: the clean zone. Stages filter or replace them. */
  events: EventEnvelope[];
  /** Items refused by a stage: the failed zone, one record each. */
  readonly rejected: Rejection[];
  duplicates: number;
  /**
   * JSON text of events a stage already serialised (the event-bytes stage measures each one):
   * emit reuses it instead of serialising again. Valid because stamped events are replaced,
   * never mutated.
   */
  readonly serialized: Map<object, string>;
  /** Set when a stage rejected the whole request: one failed-zone record and the audit record, nothing else. */
  failure?: { readonly code: string; readonly message: string; readonly stage: string };
}

export interface Stage {
  readonly name: string;
  run(batch: BatchUnderWork): StageOutcome | Promise<StageOutcome>;
}
