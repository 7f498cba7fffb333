/**
 * Post-WAL records: a finished `BatchUnderWork` becomes the records every sink may receive, one
 * per zone and event (raw, clean, failed) plus one audit record per request. Each value is
 * serialised on its own, so a value no zone can encode fails alone (it becomes a failed-zone
 * record) and never stops a sink.
 */
import type { EventEnvelope, LakeZone } from '@shopstream/shared';
import type { SinkRecord } from '../../sinks/sink.js';
import type { Lsn } from '../../wal/wal.js';
import type { IngestRecord } from '../ingest-record.js';
import { refusedSample } from '../limits/refused-sample.js';
import type { BatchUnderWork } from './stage.js';

export interface FailureReason {
  readonly code: string;
  readonly message: string;
  readonly stage: string;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One failed-zone record for a WAL record nothing else can be made of, plus its audit record. */
export function unprocessableRecords(lsn: Lsn, ingest: IngestRecord | undefined, reason: FailureReason): SinkRecord[] {
  if (!ingest) {
    const json = JSON.stringify({ reason, lsn });
    return [sinkRecord(lsn, 0, 'failed', 'unknown', 'batch', 0, json)];
  }
  const receivedAt = new Date(ingest.receivedAtMs).toISOString();
  const failed = JSON.stringify({
    reason, requestId: ingest.requestId, source: ingest.source, receivedAt, lsn,
    contentKind: ingest.contentKind, bodyBase64: Buffer.from(ingest.body).toString('base64'),
  });
  const audit = JSON.stringify({ requestId: ingest.requestId, source: ingest.source, receivedAt, lsn, contentKind: ingest.contentKind, bytes: ingest.body.length, accepted: 0, rejected: 1, duplicates: 0, failure: reason });
  return [
    sinkRecord(lsn, 0, 'failed', ingest.source, 'batch', ingest.receivedAtMs, failed, undefined, ingest.requestId),
    sinkRecord(lsn, 1, 'audit', ingest.source, 'request', ingest.receivedAtMs, audit, undefined, ingest.requestId),
  ];
}

export function emitRecords(batch: BatchUnderWork): SinkRecord[] {
  const { lsn, ingest } = batch;
  const out: SinkRecord[] = [];
  const at = ingest.receivedAtMs;
  // raw and clean usually hold the same objects, and the event-bytes stage serialised the raw
  // ones already: serialise each once.
  const jsonOf: Map<unknown, string> = batch.serialized;
  const push = (zone: LakeZone, eventType: string, value: unknown, event?: EventEnvelope) => {
    let json = jsonOf.get(value);
    if (json === undefined) {
      try {
        json = JSON.stringify(value);
      } catch (error) {
        // The guard stage bounds every event, so this is a stage's bug; still, only this value fails.
        const reason = { code: 'COLLECTOR_UNSERIALIZABLE', message: `a ${zone}-zone record could not be written as JSON: ${messageOf(error)}`, stage: 'emit' };
        json = JSON.stringify({ reason, requestId: ingest.requestId, source: ingest.source, receivedAt: batch.receivedAt, item: refusedSample(value, 0) });
        zone = 'failed';
        event = undefined;
      }
      if (event) jsonOf.set(value, json);
    }
    out.push(sinkRecord(lsn, out.length, zone, ingest.source, eventType, at, json, event, ingest.requestId));
  };
  if (batch.failure) {
    push('failed', 'batch', {
      reason: batch.failure, requestId: ingest.requestId, source: ingest.source, receivedAt: batch.receivedAt,
      contentKind: ingest.contentKind, bodyBase64: Buffer.from(ingest.body).toString('base64'),
    });
  } else {
    for (const event of batch.raw) push('raw', event.type, event, event);
    for (const event of batch.events) push('clean', event.type, event, event);
    for (const rejection of batch.rejected) {
      const type = (rejection.item as { type?: unknown } | null)?.type;
      push('failed', typeof type === 'string' ? type : 'unknown', {
        reason: { code: rejection.code, message: rejection.message, stage: rejection.stage },
        requestId: ingest.requestId, source: ingest.source, receivedAt: batch.receivedAt, item: rejection.item,
      });
    }
  }
  push('audit', 'request', {
    requestId: ingest.requestId, source: ingest.source, receivedAt: batch.receivedAt, lsn, contentKind: ingest.contentKind,
    bytes: ingest.body.length, accepted: batch.failure ? 0 : batch.events.length,
    rejected: batch.failure ? 1 : batch.rejected.length, duplicates: batch.duplicates,
    ...(batch.failure ? { failure: batch.failure } : {}),
  });
  return out;
}

function sinkRecord(lsn: Lsn, index: number, zone: LakeZone, source: string, eventType: string, receivedAtMs: number, json: string, event?: EventEnvelope, requestId?: string): SinkRecord {
  return { lsn, index, zone, source, eventType, receivedAtMs, json, eventId: event?.id, sessionId: event?.sessionId, userId: event?.userId, requestId };
}
