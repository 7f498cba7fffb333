/**
 * A dead-letter row of the failed zone (`{ deadLetter: { sink, code, message }, zone, record }`,
 * ../delivery/dead-letter.ts) back into the sink record the sink refused: same WAL position, zone,
 * source and JSON text, so a sink that names its files by WAL position writes the same names again.
 */
import type { LakeZone } from '@shopstream/shared';
import type { SinkRecord } from '../sinks/sink.js';
import { isObject, jsonValue, rowToEvent } from './row-to-event.js';

export interface DeadLetterEntry {
  readonly sink: string;
  readonly record: SinkRecord;
}

const ZONES = new Set<string>(['raw', 'clean', 'failed', 'audit']);

/** The entry, or undefined when the row is no dead letter or lacks what a resend needs. */
export function deadLetterEntry(row: Record<string, unknown>, fallbackAtMs: number): DeadLetterEntry | undefined {
  const shaped = rowToEvent(row);
  const head = jsonValue(shaped.deadLetter);
  const record = jsonValue(shaped.record);
  const zone = shaped.zone;
  if (!isObject(head) || typeof head.sink !== 'string' || !isObject(record) || typeof zone !== 'string' || !ZONES.has(zone)) return undefined;
  if (typeof row.walLsn !== 'number' || typeof row.walIndex !== 'number' || typeof row.source !== 'string') return undefined;
  const receivedAtMs = typeof record.receivedAt === 'string' ? Date.parse(record.receivedAt) : Number.NaN;
  const eventType = typeof record.type === 'string' ? record.type : zone === 'audit' ? 'request' : 'batch';
  return {
    sink: head.sink,
    record: {
      lsn: row.walLsn, index: row.walIndex, zone: zone as LakeZone, source: row.source, eventType,
      ...(typeof record.id === 'string' ? { eventId: record.id } : {}),
      ...(typeof record.sessionId === 'string' ? { sessionId: record.sessionId } : {}),
      ...(typeof record.userId === 'string' ? { userId: record.userId } : {}),
      ...(typeof row.requestId === 'string' ? { requestId: row.requestId } : {}),
      receivedAtMs: Number.isFinite(receivedAtMs) ? receivedAtMs : fallbackAtMs,
      json: JSON.stringify(record),
    },
  };
}
