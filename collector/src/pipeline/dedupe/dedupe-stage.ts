/**
 * Drops events whose id another WAL position already claimed (./deduper.ts) from `clean` and
 * from `raw`, so no sink gets an event twice; they are counted (`batch.duplicates`, metrics) and
 * the request that brought them was still answered 200. Invalid events claim nothing.
 * When the store is down in `failMode: 'open'`, events go on marked `possibleDuplicate: true`.
 */
import type { EventEnvelope } from '@shopstream/shared';
import { OK, type Stage } from '../chain/stage.js';
import type { EventNotes } from '../event-notes.js';
import { ownerToken, type Deduper } from './deduper.js';

export interface DedupeStageOptions {
  readonly deduper: Deduper;
  /** Stable id of this collector (see ./node-id.ts): part of every owner token. */
  readonly nodeId: string;
  readonly notes: EventNotes;
  /** Resolves once the deduper's window is rebuilt (./warm-from-wal.ts); batches wait for it. */
  readonly ready?: Promise<unknown>;
}

export function dedupeStage(options: DedupeStageOptions): Stage {
  const { deduper, nodeId, notes } = options;
  return {
    name: 'dedupe',
    async run(batch) {
      if (options.ready) await options.ready;
      const events = batch.events;
      if (events.length === 0) return OK;
      const owners = events.map((event, i) => ownerToken(nodeId, batch.lsn, notes.get(event)?.index ?? i));
      let result;
      try {
        result = await deduper.firstSeen(events.map((event) => event.id), owners, batch.ingest.receivedAtMs);
      } catch (error) {
        // The store is down (failMode: closed): process this record again later, never guess.
        return { status: 'retry', error: error instanceof Error ? error : new Error(String(error)) };
      }
      const duplicates = new Set(events.filter((_, i) => !result.firstSeen[i]));
      if (duplicates.size > 0) {
        batch.duplicates += duplicates.size;
        batch.raw = batch.raw.filter((event) => !duplicates.has(event));
      }
      const kept = events.filter((event) => !duplicates.has(event));
      batch.events = result.degraded ? kept.map((event) => markPossibleDuplicate(event, notes)) : kept;
      return OK;
    },
  };
}

function markPossibleDuplicate(event: EventEnvelope, notes: EventNotes): EventEnvelope {
  const marked = { ...event, possibleDuplicate: true } as EventEnvelope;
  const note = notes.get(event);
  if (note) notes.set(marked, note);
  return marked;
}
