/**
 * The one rule for a client's `timestamp` (documented in the collector README, "Hostile input"):
 *
 * - absent: the event happened when it was received (`timestamp = receivedAt`), as Segment does;
 * - an ISO-8601 date-time between years 1000 and 9999: kept as sent;
 * - anything else (a number, `null`, an object, unparseable text, `+275760-09-13…`): never
 *   silently replaced. `timestamp` becomes `receivedAt` so every event has a usable time, and
 *   the value as received is kept beside it, as JSON text, in `malformed.timestamp`, a place of
 *   its own whose type never changes (a string), so one bad client cannot turn the `timestamp`
 *   column of a zone into text.
 */

/** `YYYY-MM-DDTHH:MM` at least: a date alone or a bare number is not an event time. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const YEAR_MIN = 1000;
const YEAR_MAX = 9999;

export const MALFORMED_FIELD = 'malformed';

export function isUsableTimestamp(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 64 || !ISO_DATE_TIME.test(value)) return false;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return false;
  const year = new Date(ms).getUTCFullYear();
  return year >= YEAR_MIN && year <= YEAR_MAX;
}

/** Applies the rule in place on a decoded item this batch owns. */
export function stampTimestamp(fields: Record<string, unknown>, receivedAt: string): void {
  const sent = fields.timestamp;
  if (sent === undefined) {
    fields.timestamp = receivedAt;
    return;
  }
  if (isUsableTimestamp(sent)) return;
  fields.timestamp = receivedAt;
  noteMalformed(fields, 'timestamp', sent);
}

/** Keeps a refused value as received (JSON text, at most 256 characters) under `malformed.<field>`. */
export function noteMalformed(fields: Record<string, unknown>, field: string, value: unknown): void {
  const existing = fields[MALFORMED_FIELD];
  const malformed = existing !== null && typeof existing === 'object' && !Array.isArray(existing) ? (existing as Record<string, unknown>) : {};
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  malformed[field] = text.length > 256 ? `${text.slice(0, 256)}…` : text;
  fields[MALFORMED_FIELD] = malformed;
}
