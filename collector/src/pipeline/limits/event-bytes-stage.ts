/**
 * Post-WAL size limit per event (`eventBytesMax`, default 32 KB as Segment documents): an event
 * larger than that goes to the failed zone with `COLLECTOR_LIMIT_EVENT_BYTES`; the rest of its
 * batch goes on. The refused event is recorded by id, type and size, not in full, so the failed
 * zone stays bounded too. Runs first after `stamp` and records each event's position (notes).
 */
import { OK, type Stage } from '../chain/stage.js';
import type { EventNotes } from '../event-notes.js';

export const EVENT_BYTES_MAX_DEFAULT = 32 * 1024;

export function eventBytesStage(eventBytesMax: number, notes: EventNotes): Stage {
  return {
    name: 'event-bytes',
    run(batch) {
      const kept = [];
      for (const [index, event] of batch.raw.entries()) {
        notes.set(event, { index, piiRules: [] });
        const json = JSON.stringify(event);
        const bytes = Buffer.byteLength(json);
        if (bytes <= eventBytesMax) {
          batch.serialized.set(event, json); // emit writes the raw zone from it
          kept.push(event);
          continue;
        }
        batch.rejected.push({
          item: { id: event.id, type: event.type, bytes, truncated: true },
          code: 'COLLECTOR_LIMIT_EVENT_BYTES',
          message: `event ${event.id} is ${bytes} bytes as JSON, over the ${eventBytesMax}-byte per-event limit (limits.eventBytesMax)`,
          stage: 'event-bytes',
        });
      }
      if (kept.length !== batch.raw.length) {
        const keptSet = new Set(kept);
        batch.raw = kept;
        batch.events = batch.events.filter((event) => keptSet.has(event));
      }
      return OK;
    },
  };
}
