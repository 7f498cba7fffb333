/**
 * Snowplow tracker-protocol events (./snowplow-payload.ts stores them) → `EventEnvelope`s, after
 * the WAL. Field names follow https://docs.snowplow.io/docs/sources/trackers/snowplow-tracker-protocol/:
 *
 * - `eid` is the event id (dedupe across a tracker's retries); `uid` → `userId`; `duid` (else
 *   `nuid`/`tnuid`) → `anonymousId`; `sid` → `sessionId`.
 * - `e=pv` → page `Page Viewed` (`url`, `page` title, `refr` into properties); `e=ue` (a
 *   self-describing event, `ue_pr` JSON or `ue_px` base64) → track, `type` and `schema.name` the
 *   Iglu `vendor/name`, `schema.version` its SchemaVer as semver (./iglu.ts), its `data` the
 *   properties, so the registry validates it like any event; `e=se` → track named by `se_ac`
 *   (category, action, label, property, value into properties); `pp` → `Page Ping`; `tr`, `ti`
 *   → `Transaction`, `Transaction Item` with their `tr_*`/`ti_*` fields as properties (prefix
 *   dropped); anything else `snowplow:<e>`.
 * - Contexts (`co` JSON or `cx` base64) → `context.contexts` as `[{schema, data}]`.
 * - Time: `ttm` (true timestamp) when sent, else Segment's skew correction with `dtm` (created)
 *   and `stm` (sent): `timestamp = receivedAt − (stm − dtm)`, the client's `dtm` kept as
 *   `originalTimestamp` — Snowplow's `derived_tstamp`.
 * - `context.library` = `{name: "snowplow-<platform of tv>", version}` (`js-4.10.1` →
 *   `snowplow-js` 4.10.1); `aid`, `tna`, `p` → `context.app`; every other parameter is kept in
 *   `context.snowplow` as sent, so nothing the tracker sent is lost.
 *
 * An event whose `ue_px`/`cx` cannot be decoded is refused alone (`COLLECTOR_SNOWPLOW_BAD_EVENT`).
 */
import { correctedTimestamp } from '../segment/segment-to-envelopes.js';
import { parseIgluUri } from './iglu.js';

export interface SnowplowRefusal {
  readonly item: unknown;
  readonly code: 'COLLECTOR_SNOWPLOW_BAD_EVENT';
  readonly message: string;
}

type Json = Record<string, unknown>;

const TYPE_OF_EVENT: Record<string, string> = { pp: 'Page Ping', tr: 'Transaction', ti: 'Transaction Item' };
/** Parameters mapped onto envelope fields; the rest goes to `context.snowplow`. */
const MAPPED_PREFIX = /^(se|tr|ti)_/;
const MAPPED = new Set(['e', 'eid', 'uid', 'duid', 'nuid', 'tnuid', 'sid', 'dtm', 'stm', 'ttm', 'tv', 'aid', 'tna', 'p', 'url', 'page', 'refr', 'ue_pr', 'ue_px', 'co', 'cx', 'ua', 'lang', 'tz', 'res', 'vp', 'ip']);

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(p: Json, key: string): string | undefined {
  const value = p[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Epoch milliseconds as sent (a string of digits) → ISO time. */
function isoOfMs(value: string | undefined): string | undefined {
  if (value === undefined || !/^[0-9]{1,15}$/.test(value)) return undefined;
  const date = new Date(Number(value));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** `ue_pr`/`co` (JSON) or `ue_px`/`cx` (base64url JSON); `undefined` when absent, an Error when broken. */
function selfDescribing(p: Json, plain: string, encoded: string): Json | Error | undefined {
  const raw = text(p, plain);
  const base64 = text(p, encoded);
  if (raw === undefined && base64 === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(raw ?? Buffer.from(base64!, 'base64url').toString('utf8'));
    if (isObject(value)) return value;
  } catch {
    // reported below
  }
  return new Error(`"${raw === undefined ? encoded : plain}" is not a self-describing JSON object${raw === undefined ? ' in base64' : ''}`);
}

export function snowplowToEnvelopes(events: readonly unknown[], receivedAt: string): { items: unknown[]; refused: SnowplowRefusal[] } {
  const items: unknown[] = [];
  const refused: SnowplowRefusal[] = [];
  for (const event of events) {
    const mapped = isObject(event) ? toEnvelope(event, receivedAt) : event;
    if (mapped instanceof Error) refused.push({ item: event, code: 'COLLECTOR_SNOWPLOW_BAD_EVENT', message: mapped.message });
    else items.push(mapped); // no object: the stamp stage refuses it as no event
  }
  return { items, refused };
}

function toEnvelope(p: Json, receivedAt: string): Json | Error {
  const e = text(p, 'e');
  const contexts = selfDescribing(p, 'co', 'cx');
  if (contexts instanceof Error) return contexts;
  const unstruct = selfDescribing(p, 'ue_pr', 'ue_px');
  if (unstruct instanceof Error) return unstruct;

  let kind = 'track';
  let type: string;
  let properties: Json | undefined;
  let schema: { name: string; version: string } | undefined;
  if (e === 'pv') {
    kind = 'page';
    type = 'Page Viewed';
    properties = pageProperties(p);
  } else if (e === 'ue') {
    // {"schema": "iglu:…/unstruct_event/…", "data": {"schema": "iglu:vendor/name/jsonschema/1-0-0", "data": {...}}}
    const inner = isObject(unstruct?.data) ? unstruct.data : undefined;
    const ref = parseIgluUri(inner?.schema);
    if (!inner || !ref || !isObject(inner.data)) return new Error('a self-describing event (e=ue) needs {"data": {"schema": "iglu:vendor/name/jsonschema/M-R-A", "data": {...}}}');
    type = ref.registryName;
    schema = { name: ref.registryName, version: ref.version };
    properties = inner.data;
  } else if (e === 'se') {
    type = text(p, 'se_ac') ?? 'Structured Event';
    const value = text(p, 'se_va');
    properties = strip({ category: text(p, 'se_ca'), action: text(p, 'se_ac'), label: text(p, 'se_la'), property: text(p, 'se_pr'), value: value !== undefined && Number.isFinite(Number(value)) ? Number(value) : undefined });
  } else {
    type = (e && TYPE_OF_EVENT[e]) ?? `snowplow:${e ?? 'unknown'}`;
    properties = e === 'pp' ? pageProperties(p) : e === 'tr' || e === 'ti' ? prefixed(p, `${e}_`) : undefined;
  }

  const sentAt = isoOfMs(text(p, 'stm'));
  const created = isoOfMs(text(p, 'dtm'));
  const trueTime = isoOfMs(text(p, 'ttm'));
  const rest: Json = {};
  for (const key of Object.keys(p)) if (!MAPPED.has(key) && !MAPPED_PREFIX.test(key)) rest[key] = p[key];
  const context = strip({
    library: library(text(p, 'tv')),
    app: strip({ id: text(p, 'aid'), namespace: text(p, 'tna'), platform: text(p, 'p') }),
    page: e === 'pv' || e === 'pp' ? undefined : strip({ url: text(p, 'url'), title: text(p, 'page'), referrer: text(p, 'refr') }),
    userAgent: text(p, 'ua'),
    locale: text(p, 'lang'),
    timezone: text(p, 'tz'),
    screen: size(text(p, 'res')),
    viewport: size(text(p, 'vp')),
    ip: text(p, 'ip'),
    contexts: Array.isArray(contexts?.data) ? contexts.data : undefined,
    snowplow: Object.keys(rest).length > 0 ? rest : undefined,
  });
  return strip({ // never undefined: `type` and `kind` are always set
    id: text(p, 'eid'),
    type,
    kind,
    userId: text(p, 'uid'),
    anonymousId: text(p, 'duid') ?? text(p, 'nuid') ?? text(p, 'tnuid'),
    sessionId: text(p, 'sid'),
    timestamp: trueTime ?? (created === undefined ? receivedAt : correctedTimestamp(created, sentAt, receivedAt)),
    originalTimestamp: created,
    sentAt,
    context,
    properties,
    schema,
  })!;
}

/** `tr_id`, `tr_tt` … → `{id, tt, …}`. */
function prefixed(p: Json, prefix: string): Json | undefined {
  const out: Json = {};
  for (const key of Object.keys(p)) if (key.startsWith(prefix) && key.length > prefix.length) out[key.slice(prefix.length)] = p[key];
  return strip(out);
}

function pageProperties(p: Json): Json | undefined {
  const url = text(p, 'url');
  let path: string | undefined;
  try {
    path = url === undefined ? undefined : new URL(url).pathname;
  } catch {
    path = undefined;
  }
  return strip({ url, path, title: text(p, 'page'), referrer: text(p, 'refr') });
}

/** `js-4.10.1` → `{name: "snowplow-js", version: "4.10.1"}`. */
function library(tv: string | undefined): Json | undefined {
  if (tv === undefined) return { name: 'snowplow' };
  const dash = tv.indexOf('-');
  return dash <= 0 ? { name: 'snowplow', version: tv } : { name: `snowplow-${tv.slice(0, dash)}`, version: tv.slice(dash + 1) };
}

/** `1920x1080` → `{width, height}`. */
function size(value: string | undefined): Json | undefined {
  const match = value === undefined ? null : /^([0-9]{1,6})x([0-9]{1,6})$/.exec(value);
  return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}

/** The object without its `undefined` fields; `undefined` when none is left. */
function strip(fields: Json): Json | undefined {
  const out: Json = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return Object.keys(out).length > 0 ? out : undefined;
}
