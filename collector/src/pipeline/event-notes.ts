/**
 * What the ingest stages learn about each event and pass down the chain without changing the
 * event itself (zones share event objects, and `raw` must stay as received): its position in
 * the WAL record (the dedupe owner token's `index`) and the PII rules of its schema. Keyed by
 * the envelope object, so notes vanish with the batch.
 */
import type { PiiRule } from '@shopstream/shared';

export interface EventNote {
  /** Position among the events stamped from the WAL record: stable across replays. */
  readonly index: number;
  piiRules: readonly PiiRule[];
}

export type EventNotes = WeakMap<object, EventNote>;

export function createEventNotes(): EventNotes {
  return new WeakMap();
}
