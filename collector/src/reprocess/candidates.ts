/**
 * What a lake row offers for reprocessing: an event to send again (with the source it came from,
 * kept: the resend uses that source's write key), or the reason it cannot be.
 *
 * - `raw` rows are events as received (stamped, PII applied): the row turned back into its event.
 * - `failed` rows of refused events carry the event as `item`. Not redrivable: an `item` that is
 *   only a bounded sample of a hostile event (`truncated: true`), an item that is no object, a
 *   whole refused request (its body is kept as bytes), and dead letters (`deadLetter`: a sink
 *   refused a record the other sinks may hold; resending it through the collector would be
 *   dropped by dedupe or doubled in the other sinks).
 */
import { isObject, jsonValue, rowToEvent } from './row-to-event.js';

type Json = Record<string, unknown>;

export type Candidate =
  | { readonly kind: 'event'; readonly source: string; readonly id: string; readonly event: Json }
  | { readonly kind: 'skip'; readonly why: NotRedrivable };

export type NotRedrivable = 'sample' | 'not-an-event' | 'whole-request' | 'dead-letter' | 'no-source';

export function candidateOf(zone: 'raw' | 'failed', row: Json): Candidate {
  const source = row.source;
  if (typeof source !== 'string' || source === '') return { kind: 'skip', why: 'no-source' };
  if (zone === 'raw') return eventCandidate(source, rowToEvent(row));
  if (row.deadLetter !== undefined && row.deadLetter !== null) return { kind: 'skip', why: 'dead-letter' };
  if (row.bodyBase64 !== undefined || (isObject(row.extra) && 'bodyBase64' in row.extra)) return { kind: 'skip', why: 'whole-request' };
  const item = jsonValue(row.item);
  if (!isObject(item)) return { kind: 'skip', why: 'not-an-event' };
  if (item.truncated === true && 'sha256' in item) return { kind: 'skip', why: 'sample' };
  return eventCandidate(source, item);
}

function eventCandidate(source: string, event: Json): Candidate {
  if (typeof event.id !== 'string' || event.id === '') return { kind: 'skip', why: 'not-an-event' };
  return { kind: 'event', source, id: event.id, event };
}
