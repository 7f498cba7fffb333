/**
 * Segment's single-call endpoints (`/v1/track`, `/v1/identify`, `/v1/page`, `/v1/screen`,
 * `/v1/group`, `/v1/alias`) post one message whose call is implied by the path, so the message
 * may lack `type`. On the acknowledgement path the body (≤ 32 KB, already parsed once to count
 * events) is rewritten to `{"batch":[message with type]}`: the WAL then holds an ordinary JSON
 * batch and everything after it is shared with `/v1/batch`.
 */
import type { EventKind } from '@shopstream/shared';
import { CollectorError } from '../../errors.js';
import { SEGMENT_CALLS, SEGMENT_EVENT_BYTES_MAX } from './segment-to-envelopes.js';
import { checkEventValue, EVENT_DEPTH_MAX_DEFAULT } from '../limits/event-value-guard.js';

/** `/v1/track` → `track`; undefined for any other path. */
export function segmentCallOfPath(path: string): EventKind | undefined {
  const match = /^\/v1\/([a-z]+)$/.exec(path);
  const call = match?.[1] as EventKind | undefined;
  return call !== undefined && SEGMENT_CALLS.includes(call) ? call : undefined;
}

/**
 * The message is checked for depth before it is re-serialised (JSON.stringify recurses: 10,000
 * nested arrays would overflow its stack and answer 500); one call is one event, so a refusal
 * here is the client's 400, not a failed-zone record.
 */
export function segmentCallBody(body: Uint8Array, call: EventKind, depthMax = EVENT_DEPTH_MAX_DEFAULT): Buffer {
  if (body.length > SEGMENT_EVENT_BYTES_MAX) {
    throw new CollectorError('COLLECTOR_LIMIT_EVENT_BYTES', `A single ${call} call is ${body.length} bytes, over Segment's ${SEGMENT_EVENT_BYTES_MAX}-byte per-event limit.`, { status: 413 });
  }
  let message: unknown;
  try {
    message = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (error) {
    throw new CollectorError('COLLECTOR_BAD_JSON', `The body is not valid JSON (${(error as Error).message}).`, { status: 400 });
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    throw new CollectorError('COLLECTOR_NOT_A_BATCH', `POST /v1/${call} takes one JSON object (a Segment ${call} message).`, { status: 400 });
  }
  const verdict = checkEventValue(message, { depthMax, eventBytesMax: Number.POSITIVE_INFINITY });
  if (verdict.status === 'reject') throw new CollectorError(verdict.code, `The ${call} message is refused: ${verdict.message}.`, { status: 400 });
  const typed = { ...(message as Record<string, unknown>), type: call };
  return Buffer.from(JSON.stringify({ batch: [typed] }));
}
