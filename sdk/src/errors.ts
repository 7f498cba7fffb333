/**
 * Errors of the SDK. Each has a stable `code` so `onError` handlers can branch on it without
 * parsing messages; the message says what happened and what to do about it.
 */
export type SdkErrorCode =
  | 'SDK_CONFIG_INVALID'
  | 'SDK_CLOSED'
  | 'SDK_EVENT_INVALID'
  | 'SDK_EVENT_TOO_LARGE'
  | 'SDK_BUFFER_FULL'
  | 'SDK_BATCH_REJECTED'
  | 'SDK_RETRIES_EXHAUSTED'
  | 'SDK_NETWORK'
  | 'SDK_TIMEOUT'
  | 'SDK_HTTP_STATUS'
  | 'SDK_STORAGE_FAILED'
  | 'SDK_QUEUE_CORRUPT'
  | 'SDK_QUEUE_FULL'
  /** 401/403: the collector refused the write key or the signature; delivery is paused, nothing is dropped. */
  | 'SDK_UNAUTHORIZED'
  /** close() left events undelivered: the message says how many, why, and whether a restart sends them (queueDir). */
  | 'SDK_UNDELIVERED';

export class SdkError extends Error {
  override readonly name = 'SdkError';
  /** Stable code to branch on (see the list above). */
  declare readonly code: SdkErrorCode;
  /** HTTP status when the error came from a collector answer. */
  declare readonly status: number | undefined;
  constructor(code: SdkErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options); // Error takes `cause` from the options and ignores `status`
    // `declare`d, then assigned: no class field definitions in every shop's bundle.
    this.code = code;
    this.status = options?.status;
  }
}

export function isSdkError(value: unknown): value is SdkError {
  return value instanceof Error && (value as SdkError).name === 'SdkError' && typeof (value as SdkError).code === 'string';
}
