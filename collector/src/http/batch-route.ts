/**
 * `POST /v1/batch`: the acknowledgement path. It checks only what is cheap and certain (write
 * key, size, frame header + CRC, JSON shape, event count), appends ONE ingest record to the
 * WAL and answers 200 once the append resolved (fsync). Decoding and validation of the events
 * happen after the WAL (../pipeline/processor.ts).
 *
 * Body kinds: a batch frame (`application/vnd.shopstream.frame`, or any type whose body starts
 * with "SSB1": beacons may only send text/plain), or JSON `[...]` / `{"batch": [...]}`, either
 * optionally `Content-Encoding: gzip`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkFrame, FRAME_MAGIC } from '@shopstream/shared';
import { crc32cNative } from '@shopstream/shared/node';
import type { Logger } from 'pino';
import type { LimitsConfig } from '../config/config.js';
import { CollectorError } from '../errors.js';
import { encodeIngestRecord, type ContentKind, type IngestRecord } from '../pipeline/ingest-record.js';
import { VALIDATE_HEADER, wantsSyncValidation, type SyncValidationResult } from '../pipeline/sync-validation.js';
import { jsonBatchItems } from '../pipeline/decode/decode-stage.js';
import { refuseEventsPerBatch } from '../pipeline/limits/events-per-batch.js';
import { LogEvent } from '../telemetry/events.js';
import type { CollectorMetrics } from '../telemetry/metrics.js';
import type { IngestGate, IngestRequest } from '../gates/ingest-gate.js';
import { decodeContentEncoding, discardBody, isIdentityEncoding, readBody } from './read-body.js';
import type { DecodedBytesBudget } from '../pipeline/limits/decoded-bytes-budget.js';
import { sendError, sendJson, toHttpFailure, type HttpFailure } from './reply.js';

export const FRAME_CONTENT_TYPE = 'application/vnd.shopstream.frame';
const JSON_TYPES = new Set(['', 'application/json', 'text/plain', 'application/x-www-form-urlencoded']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface BatchRouteDeps {
  readonly limits: LimitsConfig;
  readonly gates: readonly IngestGate[];
  /** Backpressure: why a new batch must wait now, if it must. */
  readonly admission: () => HttpFailure | undefined;
  /** Appends one WAL record and resolves once it is durable. */
  readonly append: (record: Uint8Array) => Promise<void>;
  readonly metrics: CollectorMetrics;
  readonly log: Logger;
  readonly nowMs: () => number;
  /** Per-event answers after the WAL append (`X-Shopstream-Validate: sync`, see ../pipeline/sync-validation.ts). */
  readonly syncValidation?: { readonly byDefault: boolean; check(record: IngestRecord): Promise<SyncValidationResult> };
  /** Decoded bytes this thread may hold at once (limits.decodedBytesInFlightMax). */
  readonly decodedBudget: DecodedBytesBudget;
}

/** Seconds a sender waits after a 503 for the decoded-bytes budget: decoding takes milliseconds. */
const OVERLOADED_RETRY_AFTER_SEC = 1;

function overloaded(what: string): CollectorError {
  return new CollectorError('COLLECTOR_OVERLOADED', `The collector is decoding too much at once to take ${what} now (limits.decodedBytesInFlightMax); nothing was accepted, please retry.`, { status: 503, retryAfterSec: OVERLOADED_RETRY_AFTER_SEC });
}



export async function handleBatch(req: IncomingMessage, res: ServerResponse, request: IngestRequest, deps: BatchRouteDeps): Promise<void> {
  const startedMs = deps.nowMs();
  try {
    let refused: GateResult = deps.admission() ?? runGates(deps.gates, (gate) => gate.onHeaders?.(request));
    if (refused instanceof Promise) refused = await refused;
    if (refused) return reject(res, request, refused, deps);

    const raw = await readBody(req, deps.limits.bodyBytesMax);
    let unsigned = runGates(deps.gates, (gate) => gate.onBody?.(request, raw));
    if (unsigned instanceof Promise) unsigned = await unsigned;
    if (unsigned) return reject(res, request, unsigned, deps);

    // Decoding (gunzip, JSON parse) holds memory: reserve it from the thread's budget first.
    const encoding = header(req, 'content-encoding');
    const decodeBytes = isIdentityEncoding(encoding) ? raw.length : deps.limits.decodedBytesMax;
    const release = deps.decodedBudget.tryTake(decodeBytes);
    if (!release) return reject(res, request, overloaded(`a ${decodeBytes}-byte body`), deps);
    let record: IngestRecord;
    let eventCount: number;
    try {
      const decoded = await decodeContentEncoding(raw, encoding, deps.limits.decodedBytesMax);
      // Other trackers' bodies (Segment's /v1/track posts one message, Snowplow's payload_data) are stored as JSON batches.
      const body = request.adapter ? request.adapter.toBatch(decoded) : decoded;
      const checked = checkBody(body, header(req, 'content-type'), deps.limits);
      eventCount = checked.eventCount;
      let limited = runGates(deps.gates, (gate) => gate.onBatch?.(request, { contentKind: checked.contentKind, eventCount, bytes: body.length }));
      if (limited instanceof Promise) limited = await limited;
      if (limited) return reject(res, request, limited, deps);
      const source = request.source;
      if (!source) throw new Error('no ingest gate set the source; the write-key gate must come first');
      record = { v: 1, source: source.id, receivedAtMs: startedMs, requestId: request.requestId, contentKind: checked.contentKind, body };
    } finally {
      release();
    }

    await deps.append(encodeIngestRecord(record));
    deps.metrics.batchAccepted(record.source, record.contentKind, eventCount, raw.length, (deps.nowMs() - startedMs) / 1000);
    deps.log.debug({ event: LogEvent.RequestHandled, requestId: request.requestId, source: record.source, contentKind: record.contentKind, eventCount, bytes: raw.length }, 'batch acknowledged');
    const sync = deps.syncValidation && wantsSyncValidation(req.headers[VALIDATE_HEADER], deps.syncValidation.byDefault);
    const validation = sync ? await validateStored(record, deps) : undefined;
    if (request.adapter?.answerOk && !validation) return request.adapter.answerOk(res);
    sendJson(res, 200, { ok: true, requestId: request.requestId, ...(validation ? { validation } : {}) });
  } catch (error) {
    const failure = toHttpFailure(error);
    if (failure.status >= 500) deps.log.error({ event: LogEvent.RequestError, requestId: request.requestId, err: error }, failure.message);
    await reject(res, request, failure, deps);
  }
}

/**
 * The per-event preview for `X-Shopstream-Validate: sync`. The batch is durable by now, so
 * whatever happens here the answer stays 200: a preview that cannot run (the decode budget is
 * spent, a bug) says so in `validation` instead of turning a stored batch into a 5xx that a
 * client would retry forever.
 */
async function validateStored(record: IngestRecord, deps: BatchRouteDeps): Promise<SyncValidationResult | { skipped: string; reason: string }> {
  const bytes = record.contentKind === 'frame' ? deps.limits.decodedBytesMax : record.body.length;
  const release = deps.decodedBudget.tryTake(bytes);
  if (!release) return { skipped: 'COLLECTOR_OVERLOADED', reason: 'the collector is decoding too much at once to preview this batch; it is stored and will be validated as usual' };
  try {
    return await deps.syncValidation!.check(record);
  } catch (error) {
    deps.log.error({ event: LogEvent.RequestError, requestId: record.requestId, err: error }, 'synchronous validation failed; the batch is stored');
    return { skipped: 'COLLECTOR_INTERNAL', reason: 'the preview could not run; the batch is stored and will be validated as usual' };
  } finally {
    release();
  }
}

type GateResult = HttpFailure | undefined | Promise<HttpFailure | undefined>;

/**
 * Runs one hook of every gate in order, stopping at the first failure. Synchronous while the
 * gates answer synchronously (write key, limits, rate limits do), so the common request pays
 * no promise per gate; from the first gate that answers a promise on, it continues async.
 */
function runGates(gates: readonly IngestGate[], hook: (gate: IngestGate) => GateResult): GateResult {
  for (let i = 0; i < gates.length; i++) {
    const result = hook(gates[i]!);
    if (result instanceof Promise) return result.then((failure) => failure ?? runGatesAsync(gates, i + 1, hook));
    if (result) return result;
  }
  return undefined;
}

async function runGatesAsync(gates: readonly IngestGate[], from: number, hook: (gate: IngestGate) => GateResult): Promise<HttpFailure | undefined> {
  for (let i = from; i < gates.length; i++) {
    const failure = await hook(gates[i]!);
    if (failure) return failure;
  }
  return undefined;
}

async function reject(res: ServerResponse, request: IngestRequest, failure: HttpFailure, deps: BatchRouteDeps): Promise<void> {
  deps.metrics.batchRejected(failure.code, failure.status);
  deps.log.debug({ event: LogEvent.BatchRejected, requestId: request.requestId, code: failure.code, status: failure.status }, failure.message);
  // A refused request may still be sending its body: read it away (bounded) so the answer is
  // not lost to a reset, then close, as the body's end may not have been reached.
  if (!res.req.complete) {
    await discardBody(res.req);
    res.setHeader('connection', 'close');
  }
  sendError(res, failure, request.requestId);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function checkBody(body: Buffer, contentType: string | undefined, limits: LimitsConfig): { contentKind: ContentKind; eventCount: number } {
  if (body.length === 0) throw new CollectorError('COLLECTOR_BODY_EMPTY', 'The request body is empty; send a batch frame or a JSON array of events.', { status: 400 });
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const looksLikeFrame = body.length >= 4 && body.readUInt32LE(0) === FRAME_MAGIC;
  let contentKind: ContentKind;
  let eventCount: number;
  if (looksLikeFrame || type === FRAME_CONTENT_TYPE) {
    contentKind = 'frame';
    eventCount = checkFrame(body, undefined, crc32cNative).eventCount;
  } else if (JSON_TYPES.has(type) || type.endsWith('+json')) {
    contentKind = 'json';
    eventCount = jsonEventCount(body);
  } else {
    throw new CollectorError('COLLECTOR_UNSUPPORTED_MEDIA_TYPE', `Content-Type "${type}" is not accepted; send ${FRAME_CONTENT_TYPE} or application/json.`, { status: 415 });
  }
  if (eventCount === 0) throw new CollectorError('COLLECTOR_BODY_EMPTY', 'The batch holds no events.', { status: 400 });
  const tooMany = refuseEventsPerBatch(eventCount, limits.eventsPerBatchMax);
  if (tooMany) throw new CollectorError(tooMany.code, tooMany.message, { status: 413 });
  return { contentKind, eventCount };
}

function jsonEventCount(body: Buffer): number {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch (error) {
    throw new CollectorError('COLLECTOR_BAD_JSON', `The body is not valid JSON (${(error as Error).message}).`, { status: 400 });
  }
  const items = jsonBatchItems(value);
  if (!items) throw new CollectorError('COLLECTOR_NOT_A_BATCH', 'JSON body must be an array of events or an object {"batch": [...]}', { status: 400 });
  return items.length;
}
