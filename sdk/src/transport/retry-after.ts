/**
 * `Retry-After` (RFC 9110 §10.2.3) is either delay-seconds or an HTTP-date. Returns the wait in
 * milliseconds, 0 for a date in the past, `undefined` when absent or unreadable (the caller
 * then falls back to its own backoff).
 */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names a weekday or month; this keeps Date.parse from reading "-5" as a year.
  const dateMs = /[a-z]{3}/i.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}
