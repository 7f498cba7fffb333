/**
 * Snowplow's tracker protocol on the acknowledgement path. Trackers send `POST
 * /com.snowplowanalytics.snowplow/tp2` with a `payload_data` self-describing JSON
 * (`{"schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4", "data":
 * [{e, eid, aid, ...}, ...]}`) or one form-encoded event, or `GET /i?e=pv&eid=...` (one event in
 * the query string, the pixel).
 * Both are stored in the WAL as that same envelope with `data` renamed `batch`
 * (`{"schema": ..., "batch": [...]}`): an ordinary JSON batch to the ack path's counting, kept
 * field for field as the tracker sent it, and recognised after the WAL by its `schema`
 * (./snowplow-to-envelopes.ts). Spec: https://docs.snowplow.io/docs/sources/trackers/snowplow-tracker-protocol/
 *
 * Snowplow trackers send no write key; the source is found by the tracker's app id (`aid`), so
 * `appId: "dev-key"` reaches the embedded defaults' source. `X-Shopstream-Key` (a tracker's
 * `customHeaders`) or `?writeKey=` take precedence when present.
 */
import { CollectorError } from '../../errors.js';

export const SNOWPLOW_PAYLOAD_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4';
const PAYLOAD_SCHEMA_PREFIX = 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-';
/** Query parameters of one pixel event; Snowplow's own GET limit is far lower (browsers: ~8 KB URLs). */
export const SNOWPLOW_PIXEL_PARAMS_MAX = 200;

const utf8 = new TextDecoder('utf-8', { fatal: true });

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True for a stored Snowplow body: `{"schema": "iglu:…/payload_data/…", "batch": [...]}`. */
export function isSnowplowBody(body: unknown): body is { schema: string; batch: unknown[] } {
  return isObject(body) && typeof body.schema === 'string' && body.schema.startsWith(PAYLOAD_SCHEMA_PREFIX) && Array.isArray(body.batch);
}

/**
 * The tp2 body's events: a `payload_data` JSON, or one event form-encoded (`e=pv&eid=…`, as the
 * pixel's query string; some trackers and proxies post that). Throws a 400 for anything else.
 */
function postedEvents(body: Uint8Array): unknown[] {
  if (looksFormEncoded(body)) {
    const event = formEvent(new URLSearchParams(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')));
    if (event.e === undefined) throw new CollectorError('COLLECTOR_NOT_A_BATCH', 'A form-encoded tp2 body is one Snowplow event and needs its event type (e=pv, e=ue, ...).', { status: 400 });
    return [event];
  }
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch (error) {
    throw new CollectorError('COLLECTOR_BAD_JSON', `The body is not valid JSON (${(error as Error).message}).`, { status: 400 });
  }
  if (!isObject(value) || typeof value.schema !== 'string' || !value.schema.startsWith(PAYLOAD_SCHEMA_PREFIX) || !Array.isArray(value.data)) {
    throw new CollectorError('COLLECTOR_NOT_A_BATCH', `POST /com.snowplowanalytics.snowplow/tp2 takes a payload_data JSON: {"schema": "${SNOWPLOW_PAYLOAD_SCHEMA}", "data": [...]}.`, { status: 400 });
  }
  return value.data;
}

/** `POST …/tp2` body → the stored body. */
export function snowplowPostBody(body: Uint8Array): Buffer {
  if (body.length === 0) return Buffer.alloc(0); // the ack path answers "empty body"
  return Buffer.from(JSON.stringify({ schema: SNOWPLOW_PAYLOAD_SCHEMA, batch: postedEvents(body) }));
}

/** `GET /i?…` query → the stored body: one event whose fields are the query parameters. */
export function snowplowPixelBody(query: URLSearchParams): Buffer {
  const event = formEvent(query);
  if (Object.keys(event).length === 0) return Buffer.alloc(0);
  return Buffer.from(JSON.stringify({ schema: SNOWPLOW_PAYLOAD_SCHEMA, batch: [event] }));
}

/** Form fields → one event (the first value of a repeated name wins; `writeKey` is no event field). */
function formEvent(params: URLSearchParams): Record<string, string> {
  const event: Record<string, string> = {};
  let count = 0;
  for (const [key, value] of params) {
    if (++count > SNOWPLOW_PIXEL_PARAMS_MAX) {
      throw new CollectorError('COLLECTOR_LIMIT_EVENT_BYTES', `The event carries more than ${SNOWPLOW_PIXEL_PARAMS_MAX} form fields.`, { status: 413 });
    }
    if (key !== 'writeKey' && !Object.hasOwn(event, key)) event[key] = value;
  }
  return event;
}

/** A form body starts with a field name (`e=`, `eid=`…); a JSON one with `{` (after any blank). */
function looksFormEncoded(body: Uint8Array): boolean {
  for (const byte of body) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
    return byte !== 0x7b /* { */ && byte !== 0x5b /* [ */;
  }
  return false;
}

/**
 * The app id all events of a tp2 body share; undefined when the body is unreadable or no event
 * names one. Events naming different app ids would belong to different sources: refused (400),
 * as the tracker sends one app id per emitter.
 */
export function snowplowPostAppId(body: Uint8Array): string | undefined {
  let events: unknown[];
  try {
    events = postedEvents(body);
  } catch {
    return undefined; // the body check answers it precisely later
  }
  return sharedAppId(events.map((event) => (isObject(event) && typeof event.aid === 'string' && event.aid !== '' ? event.aid : undefined)));
}

export function snowplowPixelAppId(query: URLSearchParams): string | undefined {
  const aid = query.get('aid');
  return aid === null || aid === '' ? undefined : aid;
}

function sharedAppId(ids: readonly (string | undefined)[]): string | undefined {
  const distinct = new Set(ids.filter((id) => id !== undefined));
  if (distinct.size > 1) {
    throw new CollectorError('COLLECTOR_SNOWPLOW_MIXED_APP_IDS', `The events of one request name ${distinct.size} different app ids (aid); send one app id per request, or the write key as X-Shopstream-Key.`, { status: 400 });
  }
  return distinct.values().next().value;
}
