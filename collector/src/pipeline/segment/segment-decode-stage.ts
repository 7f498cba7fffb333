/**
 * Wraps the decode stage: JSON bodies go through `segmentToEnvelopes`, so Segment batches keep
 * their batch-level `context`/`integrations`/`sentAt` (lost once items are split out) and
 * single messages (`/v1/track`, …) decode too. Frames go to the wrapped stage unchanged.
 */
import type { Stage } from '../processor.js';
import { segmentToEnvelopes } from './segment-to-envelopes.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function withSegmentJson(inner: Stage, eventsPerBatchMax: number): Stage {
  return {
    name: inner.name,
    async run(batch) {
      if (batch.ingest.contentKind !== 'json') return inner.run(batch);
      let body: unknown;
      try {
        body = JSON.parse(utf8.decode(batch.ingest.body));
      } catch (error) {
        throw Object.assign(new Error(`JSON body cannot be parsed: ${(error as Error).message}`, { cause: error }), { code: 'COLLECTOR_BAD_JSON' });
      }
      const items = segmentToEnvelopes(body, batch.receivedAt);
      if (items.length > eventsPerBatchMax) {
        throw Object.assign(new Error(`batch holds ${items.length} events, over the ${eventsPerBatchMax}-event limit`), { code: 'COLLECTOR_TOO_MANY_EVENTS' });
      }
      batch.decoded = items;
    },
  };
}
