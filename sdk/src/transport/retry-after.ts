/**
 * `Retry-After` (RFC 9110 §10.2.3) is either delay-seconds or an HTTP-date. Returns the wait in
 * milliseconds, 0 for a date in the past, `undefined` when absent or unreadable (the caller
 * then falls back to its own backoff). Written for bytes: it runs in every shop's bundle.
 */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  const text = value?.trim() ?? '';
  // An HTTP-date always names a weekday or month; this keeps Date.parse from reading "-5" as a year.
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : /[a-z]{3}/i.test(text) ? Date.parse(text) - nowMs : NaN;
  return ms < 0 ? 0 : ms >= 0 ? ms : undefined; // NaN (absent, unreadable) → undefined
}
