/**
 * `--from` / `--to` as lake partitions: `YYYY-MM-DD/HH` (one hour, UTC, as `dt=`/`hr=` are) or
 * `YYYY-MM-DD` (from: its first hour; to: its last). Both ends are inclusive.
 */
const HOUR = /^(\d{4}-\d{2}-\d{2})(?:\/(\d{2}))?$/;

export function parseHour(text: string, end: 'from' | 'to'): number | undefined {
  const match = HOUR.exec(text);
  if (!match) return undefined;
  const hour = match[2] ?? (end === 'from' ? '00' : '23');
  const ms = Date.parse(`${match[1]}T${hour}:00:00Z`);
  return Number.isNaN(ms) || Number(hour) > 23 ? undefined : ms;
}

/** `2026-12-05/14` for reports. */
export function formatHour(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)}/${iso.slice(11, 13)}`;
}
