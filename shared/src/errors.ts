/**
 * Errors of the wire contract. Every error carries a stable `code` so the collector can
 * answer it over HTTP and a client can branch on it without parsing the message.
 */
export type SharedErrorCode =
  | 'SHARED_FRAME_TRUNCATED'
  | 'SHARED_FRAME_BAD_MAGIC'
  | 'SHARED_FRAME_BAD_VERSION'
  | 'SHARED_FRAME_UNKNOWN_CODEC'
  | 'SHARED_FRAME_UNKNOWN_FORMAT'
  | 'SHARED_FRAME_LENGTH_MISMATCH'
  | 'SHARED_FRAME_CRC_MISMATCH'
  | 'SHARED_FRAME_TOO_LARGE'
  | 'SHARED_PAYLOAD_TOO_LARGE'
  | 'SHARED_PAYLOAD_CORRUPT'
  | 'SHARED_PAYLOAD_NOT_A_BATCH'
  | 'SHARED_CODEC_UNAVAILABLE'
  | 'SHARED_CRYPTO_UNKNOWN_KEY'
  | 'SHARED_CRYPTO_TAMPERED'
  | 'SHARED_CRYPTO_BAD_KEY';

export class SharedError extends Error {
  override readonly name = 'SharedError';
  constructor(
    readonly code: SharedErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isSharedError(value: unknown): value is SharedError {
  return value instanceof Error && (value as SharedError).name === 'SharedError' && typeof (value as SharedError).code === 'string';
}
