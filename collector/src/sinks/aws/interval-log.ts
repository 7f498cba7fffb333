/**
 * Logs a recurring condition (throttling, partial failures) at most once per interval, with the
 * count of occurrences folded into the next line, so a throttled stream writes one line per
 * minute instead of one per record.
 */

/** A structured log call: event name `<Noun><Verb>[Error]` and fields. */
export type SinkLog = (event: string, fields: Readonly<Record<string, unknown>>) => void;

export interface IntervalLogOptions {
  readonly log: SinkLog;
  readonly intervalMs: number;
  readonly nowMs?: () => number;
}

/** Returns `note(event, fields, count)`: counts always, logs when the interval for `event` has passed. */
export function createIntervalLog(options: IntervalLogOptions): (event: string, fields: Readonly<Record<string, unknown>>, count?: number) => void {
  const nowMs = options.nowMs ?? Date.now;
  const lastLoggedMs = new Map<string, number>();
  const suppressed = new Map<string, number>();
  return (event, fields, count = 1) => {
    const now = nowMs();
    const last = lastLoggedMs.get(event);
    if (last !== undefined && now - last < options.intervalMs) {
      suppressed.set(event, (suppressed.get(event) ?? 0) + count);
      return;
    }
    const folded = suppressed.get(event) ?? 0;
    suppressed.set(event, 0);
    lastLoggedMs.set(event, now);
    options.log(event, { ...fields, count: count + folded, intervalMs: options.intervalMs });
  };
}

/** Default sink log: one JSON line on stderr. */
export const stderrSinkLog: SinkLog = (event, fields) => {
  process.stderr.write(`${JSON.stringify({ event, ...fields })}\n`);
};
