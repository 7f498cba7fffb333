/**
 * Deduplication by event id, correct under crash replay and per-sink cursors.
 *
 * Rule: the first occurrence in WAL order wins. Each event claims its id with an owner token
 * `<nodeId>:<lsn>:<index>` (this collector, the WAL record, the event's position in it). An
 * event is first-seen when the stored owner of its id is its own token. So a record replayed
 * after a crash, or processed again by a second sink's loop, gets the same answer as the first
 * time (its token is already the owner), while a copy of the event in any other record (a client
 * retry, the same batch sent to another collector) finds another owner and is a duplicate.
 *
 * Only valid events claim ids: an invalid event must not block a corrected resend with its id.
 */
export interface DedupeResult {
  /** One entry per id, same order. */
  readonly firstSeen: boolean[];
  /**
   * The store could not be asked and `failMode: 'open'` let the events through: each may be a
   * duplicate. The dedupe stage marks them `possibleDuplicate: true` and counts them.
   */
  readonly degraded: boolean;
}

export interface Deduper {
  /** `owners[i]` is the token of `ids[i]` (see `ownerToken`); `atMs` the record's receive time. */
  firstSeen(ids: readonly string[], owners: readonly string[], atMs: number): Promise<DedupeResult>;
  close?(): Promise<void>;
}

/** What to do when the shared store (Redis) cannot be reached. */
export type DedupeFailMode = 'open' | 'closed';

export const DEDUPE_WINDOW_MS_DEFAULT = 24 * 3600_000;

export function ownerToken(nodeId: string, lsn: number, index: number): string {
  return `${nodeId}:${lsn}:${index}`;
}

/**
 * Thrown by a deduper in `failMode: 'closed'` when its store is down. `retryable` tells the
 * processor to leave the WAL record where it is and try again later: the events wait in the
 * WAL instead of being lost or written twice.
 */
export class DedupeUnavailableError extends Error {
  override readonly name = 'DedupeUnavailableError';
  readonly code = 'COLLECTOR_DEDUPE_UNAVAILABLE';
  readonly retryable = true;
}
