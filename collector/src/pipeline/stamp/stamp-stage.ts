/**
 * stamp: items → envelopes. Stamps `source` (from the write key, never the client) and
 * `receivedAt`, applies the one timestamp rule (./stamp-timestamp.ts), and maps Segment-style
 * calls still in Segment's shape (`type: "track", event, messageId`) onto the envelope. Items
 * that are no event at all are refused one by one.
 */
import type { EventEnvelope, EventKind } from '@shopstream/shared';
import { OK, type BatchUnderWork, type Stage } from '../chain/stage.js';
import { stampTimestamp } from './stamp-timestamp.js';

const KINDS = new Set<EventKind>(['track', 'page', 'screen', 'identify', 'group', 'alias']);
const SEGMENT_TYPE_NAMES: Record<EventKind, string> = {
  track: 'Track', page: 'Page Viewed', screen: 'Screen Viewed', identify: 'Identify', group: 'Group', alias: 'Alias',
};

export const stampStage: Stage = {
  name: 'stamp',
  run(batch) {
    const out: EventEnvelope[] = [];
    for (const item of batch.decoded) {
      const event = toEnvelope(item, batch);
      if (typeof event === 'string') batch.rejected.push({ item, code: 'COLLECTOR_NOT_AN_EVENT', message: event, stage: 'stamp' });
      else out.push(event);
    }
    batch.raw = out;
    batch.events = out;
    return OK;
  },
};

function toEnvelope(item: unknown, batch: BatchUnderWork): EventEnvelope | string {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return 'item is not a JSON object';
  // Decoded items are fresh objects owned by this batch, so stamping them in place is safe and
  // spares a copy per event on the hot path.
  const fields = item as Record<string, unknown>;
  if (KINDS.has(fields.type as EventKind) && (fields.kind === undefined || fields.kind === fields.type)) {
    // Segment spec: `type` is the call, `event`/`name` the event name, `messageId` the id.
    const kind = fields.type as EventKind;
    fields.kind = kind;
    fields.type = typeof fields.event === 'string' ? fields.event : typeof fields.name === 'string' && kind === 'page' ? fields.name : SEGMENT_TYPE_NAMES[kind];
    fields.id ??= fields.messageId;
    delete fields.event;
    delete fields.messageId;
  }
  const { id, type } = fields;
  if (typeof id !== 'string' || id === '' || id.length > 100) return 'event has no string `id` (or Segment `messageId`) of 1 to 100 characters';
  if (typeof type !== 'string' || type === '' || type.length > 200) return 'event has no string `type` (or Segment `event`) of 1 to 200 characters';
  stampTimestamp(fields, batch.receivedAt);
  fields.source = batch.ingest.source;
  fields.receivedAt = batch.receivedAt;
  return fields as unknown as EventEnvelope;
}
