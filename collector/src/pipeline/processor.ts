/**
 * Post-WAL processing: one WAL record (an ingest record, one request) becomes the records every
 * sink may receive. It runs as a chain of small stages over one `BatchUnderWork`, so decrypt,
 * validate, dedupe and PII stages slot in by name (`insertStage`) without touching the loop:
 *
 *   decode (frame or JSON → items) → stamp (items → envelopes with source and receivedAt)
 *   → [validate → dedupe → pii] → emit: raw, clean, failed, audit records
 *
 * Invariant: processing is a pure function of the WAL record. A crash replays the record and
 * every sink re-processes it, so a stage must give the same answer on a replay (a deduper
 * keys "first seen" by event id *and* Lsn). After `stamp`, stages replace events rather than
 * mutate them: `raw` keeps what arrived.
 */
import {
  checkFrame,
  decodeFramePayload,
  identityCodec,
  jsonEncoding,
  msgpackEncoding,
  type CodecSet,
  type EventEnvelope,
  type EventKind,
  type LakeZone,
  type Opener,
} from '@shopstream/shared';
import { crc32cNative, gzipZlibCodec, lz4Codec } from '@shopstream/shared/node';
import type { SinkRecord } from '../sinks/sink.js';
import type { Lsn, WalRecord } from '../wal/wal.js';
import { decodeIngestRecord, type IngestRecord } from './ingest-record.js';
import { checkEventValue, EVENT_DEPTH_MAX_DEFAULT, type EventValueLimits } from './limits/event-value-guard.js';
import { refusedSample } from './limits/refused-sample.js';
import { stampTimestamp } from './stamp-timestamp.js';

export interface Rejection {
  readonly item: unknown;
  readonly code: string;
  readonly message: string;
  readonly stage: string;
}

/** The working state stages read and update; one per WAL record. */
export interface BatchUnderWork {
  readonly lsn: Lsn;
  readonly ingest: IngestRecord;
  readonly receivedAt: string;
  /** Items as decoded from the body (set by `decode`). */
  decoded: unknown[];
  /** What arrived, stamped (set by `stamp`): the raw zone. */
  raw: EventEnvelope[];
  /** Events still going forward: the clean zone. Stages filter or replace them. */
  events: EventEnvelope[];
  /** Items refused by a stage: the failed zone, one record each. */
  readonly rejected: Rejection[];
  duplicates: number;
  /**
   * JSON text of events a stage already serialised (the event-bytes stage measures each one):
   * emit reuses it instead of serialising again. Valid because stages replace events rather than
   * mutate them once stamped.
   */
  readonly serialized: Map<object, string>;
  /** Set when the whole body is unusable: one failed-zone record and the audit record, nothing else. */
  failure?: { readonly code: string; readonly message: string; readonly stage: string };
}

/**
 * One step of processing. Throwing an error with a `code` fails the whole batch (it becomes a
 * failed-zone record); throwing one with `retryable: true` (Redis down) makes the delivery
 * engine try the record again later instead.
 */
export interface Stage {
  readonly name: string;
  run(batch: BatchUnderWork): void | Promise<void>;
}

export interface ProcessedRecord {
  readonly lsn: Lsn;
  readonly receivedAtMs: number;
  readonly records: readonly SinkRecord[];
}

export interface Processor {
  process(record: WalRecord): Promise<ProcessedRecord>;
}

export interface DecodeStageOptions {
  readonly decodedBytesMax: number;
  readonly eventsPerBatchMax: number;
  /** Private keys for sealed frames (the decrypt step lives inside frame decoding). */
  readonly opener?: Opener;
  readonly codecs?: CodecSet;
  /** Bounds each decoded item before anything copies or serialises it (./limits/event-value-guard.ts). */
  readonly eventValue?: EventValueLimits;
}

/** Segment's 32 KB per event; the ingest config (`ingest.eventBytesMax`) may change it. */
export const EVENT_VALUE_LIMITS_DEFAULT: EventValueLimits = { depthMax: EVENT_DEPTH_MAX_DEFAULT, eventBytesMax: 32 * 1024 };

const NODE_CODECS: CodecSet = { [identityCodec.id]: identityCodec, [lz4Codec.id]: lz4Codec, [gzipZlibCodec.id]: gzipZlibCodec };
const ENCODINGS = { [msgpackEncoding.id]: msgpackEncoding, [jsonEncoding.id]: jsonEncoding };
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeStage(options: DecodeStageOptions): Stage {
  return {
    name: 'decode',
    async run(batch) {
      const { body, contentKind } = batch.ingest;
      let items: unknown[];
      if (contentKind === 'frame') {
        const header = checkFrame(body, undefined, crc32cNative);
        items = await decodeFramePayload(body, header, {
          codecs: options.codecs ?? NODE_CODECS,
          encodings: ENCODINGS,
          maxDecodedBytes: options.decodedBytesMax,
          ...(options.opener ? { opener: options.opener } : {}),
        });
      } else {
        items = jsonBatchItems(JSON.parse(utf8.decode(body)));
      }
      if (items.length > options.eventsPerBatchMax) {
        throw Object.assign(new Error(`batch holds ${items.length} events, over the ${options.eventsPerBatchMax}-event limit`), { code: 'COLLECTOR_TOO_MANY_EVENTS' });
      }
      batch.decoded = items;
    },
  };
}

/**
 * Refuses, one by one, decoded items that are too deep, too large or hold values JSON cannot
 * carry, before any later stage copies, escapes or validates them; the rest of the batch goes on.
 */
export function eventGuardStage(limits: EventValueLimits): Stage {
  return {
    name: 'event-guard',
    run(batch) {
      let kept: unknown[] | undefined;
      for (const [index, item] of batch.decoded.entries()) {
        const verdict = checkEventValue(item, limits);
        if (verdict.status === 'ok') {
          kept?.push(item);
          continue;
        }
        kept ??= batch.decoded.slice(0, index);
        batch.rejected.push({ item: refusedSample(item, verdict.bytesAtLeast), code: verdict.code, message: verdict.message, stage: 'event-guard' });
      }
      if (kept) batch.decoded = kept;
    },
  };
}

/** `[...]` or Segment's `{ batch: [...] }`; throws with a code otherwise. */
export function jsonBatchItems(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object' && Array.isArray((value as { batch?: unknown }).batch)) return (value as { batch: unknown[] }).batch;
  throw Object.assign(new Error('JSON body must be an array of events or an object {"batch": [...]}'), { code: 'COLLECTOR_NOT_A_BATCH' });
}

const KINDS = new Set<EventKind>(['track', 'page', 'screen', 'identify', 'group', 'alias']);
const SEGMENT_TYPE_NAMES: Record<EventKind, string> = {
  track: 'Track', page: 'Page Viewed', screen: 'Screen Viewed', identify: 'Identify', group: 'Group', alias: 'Alias',
};

/**
 * Items → envelopes: stamps `source` (from the write key, never the client) and `receivedAt`,
 * and maps Segment-style calls (`type: "track", event, messageId`) onto the envelope so a
 * Segment client can post here unchanged. Items that are no event at all are rejected.
 */
export const stampStage: Stage = {
  name: 'stamp',
  run(batch) {
    const out: EventEnvelope[] = [];
    for (const item of batch.decoded) {
      const event = toEnvelope(item, batch);
      if (typeof event === 'string') batch.rejected.push({ item, code: 'COLLECTOR_NOT_AN_EVENT', message: event, stage: 'stamp' });
      else out.push(event);
    }
    batch.raw = out;
    batch.events = out;
  },
};

function toEnvelope(item: unknown, batch: BatchUnderWork): EventEnvelope | string {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return 'item is not a JSON object';
  // Decoded items are fresh objects owned by this batch, so stamping them in place is safe and
  // spares a copy per event on the hot path.
  const fields = item as Record<string, unknown>;
  if (KINDS.has(fields.type as EventKind) && (fields.kind === undefined || fields.kind === fields.type)) {
    // Segment spec: `type` is the call, `event`/`name` the event name, `messageId` the id.
    const kind = fields.type as EventKind;
    fields.kind = kind;
    fields.type = typeof fields.event === 'string' ? fields.event : typeof fields.name === 'string' && kind === 'page' ? fields.name : SEGMENT_TYPE_NAMES[kind];
    fields.id ??= fields.messageId;
    delete fields.event;
    delete fields.messageId;
  }
  const { id, type } = fields;
  if (typeof id !== 'string' || id === '' || id.length > 100) return 'event has no string `id` (or Segment `messageId`) of 1 to 100 characters';
  if (typeof type !== 'string' || type === '' || type.length > 200) return 'event has no string `type` (or Segment `event`) of 1 to 200 characters';
  stampTimestamp(fields, batch.receivedAt);
  fields.source = batch.ingest.source;
  fields.receivedAt = batch.receivedAt;
  return fields as unknown as EventEnvelope;
}

export function defaultStages(options: DecodeStageOptions): Stage[] {
  return [decodeStage(options), eventGuardStage(options.eventValue ?? EVENT_VALUE_LIMITS_DEFAULT), stampStage];
}

/** Returns a new chain with `stage` placed after the stage named `after` (e.g. validate after stamp). */
export function insertStage(stages: readonly Stage[], after: string, stage: Stage): Stage[] {
  const at = stages.findIndex((s) => s.name === after);
  if (at < 0) throw new Error(`no stage named "${after}" in ${stages.map((s) => s.name).join(' → ')}`);
  return [...stages.slice(0, at + 1), stage, ...stages.slice(at + 1)];
}

/**
 * Never throws but for a stage's `retryable` error (Redis down): whatever else goes wrong with a
 * record (a stage's bug, a value no zone can encode) becomes a failed-zone record with its
 * reason, so a sink's cursor always moves on (issue: one hostile request must not stop delivery).
 */
export function createProcessor(stages: readonly Stage[]): Processor {
  return {
    async process(walRecord) {
      let ingest: IngestRecord;
      try {
        ingest = decodeIngestRecord(walRecord.data);
      } catch (error) {
        return unprocessable(walRecord.lsn, undefined, { code: 'COLLECTOR_UNDECODABLE_BATCH', message: (error as Error).message, stage: 'ingest-record' });
      }
      const batch: BatchUnderWork = {
        lsn: walRecord.lsn, ingest, receivedAt: new Date(ingest.receivedAtMs).toISOString(),
        decoded: [], raw: [], events: [], rejected: [], duplicates: 0, serialized: new Map(),
      };
      for (const stage of stages) {
        try {
          await stage.run(batch);
        } catch (error) {
          if ((error as { retryable?: boolean }).retryable === true) throw error;
          const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'COLLECTOR_UNDECODABLE_BATCH';
          batch.failure = { code, message: messageOf(error), stage: stage.name };
          break;
        }
      }
      try {
        return { lsn: walRecord.lsn, receivedAtMs: ingest.receivedAtMs, records: emit(batch) };
      } catch (error) {
        // emit serialises each record on its own (below); reaching here is a bug, still not a stall.
        return unprocessable(walRecord.lsn, ingest, { code: 'COLLECTOR_UNSERIALIZABLE', message: messageOf(error), stage: 'emit' });
      }
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One failed-zone record for a WAL record nothing else can be made of, plus its audit record. */
function unprocessable(lsn: Lsn, ingest: IngestRecord | undefined, reason: { code: string; message: string; stage: string }): ProcessedRecord {
  if (!ingest) {
    const json = JSON.stringify({ reason, lsn });
    return { lsn, receivedAtMs: 0, records: [sinkRecord(lsn, 0, 'failed', 'unknown', 'batch', 0, json)] };
  }
  const receivedAt = new Date(ingest.receivedAtMs).toISOString();
  const failed = JSON.stringify({
    reason, requestId: ingest.requestId, source: ingest.source, receivedAt, lsn,
    contentKind: ingest.contentKind, bodyBase64: Buffer.from(ingest.body).toString('base64'),
  });
  const audit = JSON.stringify({ requestId: ingest.requestId, source: ingest.source, receivedAt, lsn, contentKind: ingest.contentKind, bytes: ingest.body.length, accepted: 0, rejected: 1, duplicates: 0, failure: reason });
  return {
    lsn,
    receivedAtMs: ingest.receivedAtMs,
    records: [
      sinkRecord(lsn, 0, 'failed', ingest.source, 'batch', ingest.receivedAtMs, failed),
      sinkRecord(lsn, 1, 'audit', ingest.source, 'request', ingest.receivedAtMs, audit),
    ],
  };
}

function emit(batch: BatchUnderWork): SinkRecord[] {
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
