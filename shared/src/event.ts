/**
 * The event envelope: the one shape every event has from `track()` to the lake.
 * Field names follow Segment's spec where one exists so Segment users recognise them.
 */

/** Which call produced the event, as in Segment's spec. */
export type EventKind = 'track' | 'page' | 'screen' | 'identify' | 'group' | 'alias';

/** Names the JSON Schema an event claims to follow, e.g. `{ name: 'Order Completed', version: '1.2.0' }`. */
export interface SchemaRef {
  readonly name: string;
  readonly version: string;
}

export interface EventEnvelope {
  /** UUIDv7 made at `track()` time: the deduplication key from SDK to sink. */
  id: string;
  /** Event name, e.g. `Product Viewed`; partitions the lake as `event_type=<slug>`. */
  type: string;
  /** The call that made it; `track` when absent. */
  kind?: EventKind;
  /** Source id, stamped by the collector from the authenticated write key (never trusted from the client). */
  source?: string;
  anonymousId?: string;
  userId?: string;
  sessionId?: string;
  /** ISO-8601 time the event happened, on the client's clock. */
  timestamp: string;
  /** ISO-8601 time the batch left the client; with `receivedAt` it corrects client clock skew. */
  sentAt?: string;
  /** ISO-8601 time the collector received the batch; set by the collector only. */
  receivedAt?: string;
  context?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  /** identify/group traits. */
  traits?: Record<string, unknown>;
  /** For `group` calls. */
  groupId?: string;
  /** For `alias` calls: the id being merged. */
  previousId?: string;
  schema?: SchemaRef;
}
