/**
 * Wraps the decode stage: JSON bodies go through `segmentToEnvelopes`, so Segment (and
 * RudderStack, which speaks Segment's API) batches keep their batch-level
 * `context`/`integrations`/`sentAt` (lost once items are split out) and single messages
 * (`/v1/track`, …) decode too; a stored Snowplow body (`{"schema": "iglu:…/payload_data/…",
 * "batch": [...]}`) goes through `snowplowToEnvelopes`, whose undecodable events are refused one
 * by one. Frames go to the wrapped stage unchanged.
 */
import type { Stage } from '../processor.js';
import { isSnowplowBody } from '../snowplow/snowplow-payload.js';
import { snowplowToEnvelopes } from '../snowplow/snowplow-to-envelopes.js';
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
      let items: unknown[];
      if (isSnowplowBody(body)) {
        const mapped = snowplowToEnvelopes(body.batch, batch.receivedAt);
        for (const refusal of mapped.refused) batch.rejected.push({ ...refusal, stage: inner.name });
        items = mapped.items;
      } else {
        items = segmentToEnvelopes(body, batch.receivedAt);
      }
      if (items.length > eventsPerBatchMax) {
        throw Object.assign(new Error(`batch holds ${items.length} events, over the ${eventsPerBatchMax}-event limit`), { code: 'COLLECTOR_TOO_MANY_EVENTS' });
      }
      batch.decoded = items;
    },
  };
}
