/**
 * Segment's HTTP tracking API, mapped onto `EventEnvelope`, so a shop on Segment can point its
 * existing libraries (analytics.js, analytics-node, RudderStack's SDKs, …) at Shopstream unchanged. Follows
 * Segment's documented behaviour:
 *
 * - `messageId` is the event id (any string: non-UUIDv7 ids are accepted as they are).
 * - `track` → `type` = `event`; `page` → `Page Viewed` (page `name`/`category` into
 *   properties); `screen` → `Screen Viewed`; `identify` → `Identify`; `group` → `Group`;
 *   `alias` → `Alias`.
 * - `userId`, `anonymousId`, `groupId`, `previousId` sent as `null` (analytics.js does for an
 *   anonymous visitor) are dropped: absent, not invalid.
 * - A batch's top-level `context` and `integrations` are merged into each item (the item's
 *   own keys win).
 * - Clock-skew correction: `timestamp = receivedAt − (sentAt − timestamp)`; the client's value
 *   is kept as `originalTimestamp`. RudderStack's SDKs (same API) send only `originalTimestamp`:
 *   it stands in for `timestamp`.
 * - Limits: 32 KB per event and 500 KB per batch request (checked by the size stages).
 */
import type { EventKind } from '@shopstream/shared';
import { isUsableTimestamp } from '../stamp/stamp-timestamp.js';

export const SEGMENT_EVENT_BYTES_MAX = 32 * 1024;
export const SEGMENT_BATCH_BYTES_MAX = 500 * 1024;

export const SEGMENT_CALLS: readonly EventKind[] = ['track', 'page', 'screen', 'identify', 'group', 'alias'];
const CALLS = new Set<string>(SEGMENT_CALLS);
const TYPE_OF_CALL: Record<Exclude<EventKind, 'track'>, string> = {
  page: 'Page Viewed',
  screen: 'Screen Viewed',
  identify: 'Identify',
  group: 'Group',
  alias: 'Alias',
};

type Json = Record<string, unknown>;

const NULL_MEANS_ABSENT = ['userId', 'anonymousId', 'groupId', 'previousId'] as const;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True when the body looks like Segment's, not Shopstream's own envelope array. */
export function isSegmentItem(item: unknown): boolean {
  return isObject(item) && typeof item.type === 'string' && CALLS.has(item.type);
}

/**
 * A decoded JSON body → items shaped as envelopes (items that are no Segment message are passed
 * through untouched for the stamp stage to check). Accepts `{ batch: [...] }` with batch-level
 * `context`/`integrations`/`sentAt`, a bare array, or one message (`/v1/track`, …).
 */
export function segmentToEnvelopes(body: unknown, receivedAt: string): unknown[] {
  if (Array.isArray(body)) return body.map((item) => toEnvelope(item, {}, receivedAt));
  if (!isObject(body)) return [body];
  if (!Array.isArray(body.batch)) return [toEnvelope(body, {}, receivedAt)];
  const shared = {
    context: isObject(body.context) ? body.context : undefined,
    integrations: isObject(body.integrations) ? body.integrations : undefined,
    sentAt: typeof body.sentAt === 'string' ? body.sentAt : undefined,
  };
  return body.batch.map((item) => toEnvelope(item, shared, receivedAt));
}

interface BatchLevel {
  readonly context?: Json | undefined;
  readonly integrations?: Json | undefined;
  readonly sentAt?: string | undefined;
}

function toEnvelope(item: unknown, batch: BatchLevel, receivedAt: string): unknown {
  if (!isSegmentItem(item)) return item;
  const { type: call, messageId, event, name, category, writeKey: _writeKey, context, integrations, properties, timestamp, sentAt, ...rest } = item as Json;
  const kind = call as EventKind;
  const type = kind === 'track' ? event : TYPE_OF_CALL[kind];
  const mergedContext = batch.context || isObject(context) ? { ...batch.context, ...(isObject(context) ? context : {}) } : undefined;
  const mergedIntegrations = batch.integrations || isObject(integrations) ? { ...batch.integrations, ...(isObject(integrations) ? integrations : {}) } : undefined;
  const pageProperties = kind === 'page' || kind === 'screen' ? { ...(name === undefined ? {} : { name }), ...(category === undefined ? {} : { category }) } : {};
  const mergedProperties = isObject(properties) || Object.keys(pageProperties).length > 0 ? { ...(isObject(properties) ? properties : {}), ...pageProperties } : undefined;
  const sent = typeof sentAt === 'string' ? sentAt : batch.sentAt;
  const clientTime = timestamp !== undefined ? timestamp : rest.originalTimestamp;
  // analytics.js sends `userId: null` for an anonymous visitor: null means absent in Segment's spec.
  for (const key of NULL_MEANS_ABSENT) if (rest[key] === null) delete rest[key];
  return {
    ...rest,
    id: typeof messageId === 'string' ? messageId : rest.id,
    type,
    kind,
    // RudderStack's SDKs send the client time as `originalTimestamp` and no `timestamp`.
    timestamp: clientTime === undefined ? receivedAt : correctedTimestamp(clientTime, sent, receivedAt),
    ...(typeof timestamp === 'string' ? { originalTimestamp: timestamp } : {}),
    ...(sent === undefined ? {} : { sentAt: sent }),
    ...(mergedContext ? { context: mergedContext } : {}),
    ...(mergedIntegrations ? { integrations: mergedIntegrations } : {}),
    ...(mergedProperties ? { properties: mergedProperties } : {}),
  };
}

/**
 * Segment's skew correction. A timestamp that is absent stays absent and one that is no usable
 * date comes back unchanged: the stamp stage then applies the one rule for both
 * (../stamp-timestamp.ts: `receivedAt`, the value as received kept in `malformed`).
 */
export function correctedTimestamp(timestamp: unknown, sentAt: string | undefined, receivedAt: string): unknown {
  if (!isUsableTimestamp(timestamp) || sentAt === undefined) return timestamp;
  const at = Date.parse(timestamp);
  const sent = Date.parse(sentAt);
  const received = Date.parse(receivedAt);
  if (!Number.isFinite(at) || !Number.isFinite(sent) || !Number.isFinite(received)) return timestamp;
  const corrected = new Date(received - (sent - at));
  // A far-off sentAt can push the result past what a Date holds ("Invalid time value").
  if (!Number.isFinite(corrected.getTime())) return timestamp;
  const iso = corrected.toISOString();
  return isUsableTimestamp(iso) ? iso : timestamp;
}
