/**
 * Errors of the collector. Every error has a stable `code` a client or operator can branch on,
 * and, when it reaches HTTP, the status it answers with. The message is a sentence a person
 * understands; it goes into the JSON answer `{ "error": { "code", "message" } }` unchanged.
 */
export type CollectorErrorCode =
  | 'COLLECTOR_CONFIG_INVALID'
  | 'COLLECTOR_UNAUTHORIZED'
  | 'COLLECTOR_BODY_TOO_LARGE'
  | 'COLLECTOR_BODY_ABORTED'
  | 'COLLECTOR_BODY_EMPTY'
  | 'COLLECTOR_UNSUPPORTED_MEDIA_TYPE'
  | 'COLLECTOR_UNSUPPORTED_ENCODING'
  | 'COLLECTOR_BAD_GZIP'
  | 'COLLECTOR_OVERLOADED'
  | 'COLLECTOR_BAD_JSON'
  | 'COLLECTOR_NOT_A_BATCH'
  | 'COLLECTOR_TOO_MANY_EVENTS'
  | 'COLLECTOR_NOT_FOUND'
  | 'COLLECTOR_METHOD_NOT_ALLOWED'
  | 'COLLECTOR_WAL_QUOTA'
  | 'COLLECTOR_SINK_LAGGING'
  | 'COLLECTOR_DISK_FULL'
  | 'COLLECTOR_WAL_APPEND_FAILED'
  | 'COLLECTOR_SHUTTING_DOWN'
  | 'COLLECTOR_INTERNAL'
  | 'COLLECTOR_UNDECODABLE_BATCH'
  | 'COLLECTOR_NOT_AN_EVENT'
  | 'COLLECTOR_RECORD_TOO_LARGE'
  | 'COLLECTOR_SINK_REJECTED'
  | 'COLLECTOR_SINK_RETRIES_EXHAUSTED'
  // A sink's destination is not set up as the sink needs (postgres: schema missing or of another version):
  | 'COLLECTOR_SINK_SCHEMA_MISSING'
  | 'COLLECTOR_SINK_SCHEMA_INCOMPATIBLE'
  // Gates and stages (gates/, pipeline/):
  | 'COLLECTOR_AUTH_UNKNOWN_KEY'
  | 'COLLECTOR_AUTH_BAD_SIGNATURE'
  | 'COLLECTOR_AUTH_STALE_SIGNATURE'
  | 'COLLECTOR_RATE_LIMITED'
  | 'COLLECTOR_LIMIT_BODY_BYTES'
  | 'COLLECTOR_LIMIT_DECODED_BYTES'
  | 'COLLECTOR_LIMIT_EVENTS_PER_BATCH'
  | 'COLLECTOR_LIMIT_EVENT_BYTES'
  | 'COLLECTOR_LIMIT_EVENT_DEPTH'
  | 'COLLECTOR_EVENT_VALUE_INVALID'
  | 'COLLECTOR_UNSERIALIZABLE'
  | 'COLLECTOR_SCHEMA_INVALID'
  | 'COLLECTOR_SCHEMA_UNKNOWN_EVENT'
  | 'COLLECTOR_SCHEMA_UNKNOWN_VERSION'
  | 'COLLECTOR_DEDUPE_UNAVAILABLE'
  // Other trackers' protocols (pipeline/segment, rudderstack, snowplow):
  | 'COLLECTOR_BAD_HOST_HEADER'
  | 'COLLECTOR_SNOWPLOW_MIXED_APP_IDS'
  | 'COLLECTOR_SNOWPLOW_BAD_EVENT'
  // backfill / redrive (reprocess/): the lake cannot be read, or the collector refused a resend:
  | 'COLLECTOR_REPROCESS_STORE'
  | 'COLLECTOR_REPROCESS_SEND';

export interface CollectorErrorOptions {
  /** HTTP status when the error answers a request; 500 when absent. */
  readonly status?: number;
  /** Seconds for a `Retry-After` header (503 answers). */
  readonly retryAfterSec?: number;
  readonly cause?: unknown;
}

export class CollectorError extends Error {
  override readonly name = 'CollectorError';
  readonly status: number;
  readonly retryAfterSec: number | undefined;
  constructor(
    readonly code: CollectorErrorCode,
    message: string,
    options: CollectorErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status ?? 500;
    this.retryAfterSec = options.retryAfterSec;
  }
}

export function isCollectorError(value: unknown): value is CollectorError {
  return value instanceof Error && (value as CollectorError).name === 'CollectorError' && typeof (value as CollectorError).code === 'string';
}
