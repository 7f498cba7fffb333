/**
 * Which record field becomes the Kinesis partition key. `eventId` (default) spreads evenly over
 * shards; `sessionId`/`userId` keep one session's or user's events in order on one shard.
 * A missing value falls back to the event id (then to the WAL position, for non-event records);
 * Kinesis keys are 1..256 characters, so a longer value is replaced by its SHA-256 hex (stable:
 * the same user still maps to the same shard).
 */
import { createHash } from 'node:crypto';
import type { SinkRecord } from '../../sink.js';

export type PartitionKeyField = 'eventId' | 'sessionId' | 'userId';

export const PARTITION_KEY_CHARS_MAX = 256;

export function partitionKeyOf(record: SinkRecord, field: PartitionKeyField): string {
  const chosen = field === 'eventId' ? record.eventId : field === 'sessionId' ? record.sessionId : record.userId;
  const key = nonEmpty(chosen) ?? nonEmpty(record.eventId) ?? `${record.lsn}-${record.index}`;
  return key.length <= PARTITION_KEY_CHARS_MAX ? key : createHash('sha256').update(key).digest('hex');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
