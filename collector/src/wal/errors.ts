/**
 * Errors of the write-ahead log. Each has a stable `code` the server maps to an HTTP answer
 * (`COLLECTOR_WAL_DISK_FULL` and `COLLECTOR_WAL_OVERLOADED` answer 503 so senders retry later).
 */
export type WalErrorCode =
  /** A record or cursor file failed its checks where it cannot be skipped. */
  | 'COLLECTOR_WAL_CORRUPT'
  /** The log was closed; appends and reads after `close()` get this. */
  | 'COLLECTOR_WAL_CLOSED'
  /** ENOSPC / EDQUOT while writing: nothing of the failed group was kept. */
  | 'COLLECTOR_WAL_DISK_FULL'
  /** Any other I/O failure while writing or syncing: nothing of the failed group was kept. */
  | 'COLLECTOR_WAL_IO'
  /** A failed append could not be undone; the log refuses appends until reopened. */
  | 'COLLECTOR_WAL_FAILED'
  /** More than `queueBytesMax` bytes are waiting to be written. */
  | 'COLLECTOR_WAL_OVERLOADED'
  /** A record is larger than `recordBytesMax`. */
  | 'COLLECTOR_WAL_RECORD_TOO_LARGE'
  /** Options that cannot work together (e.g. `recordBytesMax + 12 > segmentBytesMax`). */
  | 'COLLECTOR_WAL_CONFIG_INVALID'
  /** `verifyWal`/`repairWal` were pointed at a directory that does not exist. */
  | 'COLLECTOR_WAL_NOT_FOUND'
  /** Another live process holds the log directory. */
  | 'COLLECTOR_WAL_LOCKED'
  /** A cursor name outside `[A-Za-z0-9._-]{1,64}` or a cursor state that is not a valid range. */
  | 'COLLECTOR_WAL_CURSOR_INVALID'
  /** Restore found a segment whose archived parts leave a hole: a part is missing from the archive. */
  | 'COLLECTOR_WAL_ARCHIVE_GAP'
  /** Restore found no archived log under the given location. */
  | 'COLLECTOR_WAL_ARCHIVE_EMPTY'
  /** A sink's batch or a replicated acknowledgement waited too long for the archive to hold it (S3 unreachable or far behind). */
  | 'COLLECTOR_WAL_ARCHIVE_BEHIND'
  /** Restore was pointed at a directory that already holds files. */
  | 'COLLECTOR_WAL_RESTORE_NOT_EMPTY';

/** HTTP status the server answers with when a request fails with this code. */
const STATUS_BY_CODE: Record<WalErrorCode, number> = {
  COLLECTOR_WAL_CORRUPT: 500,
  COLLECTOR_WAL_CLOSED: 503,
  COLLECTOR_WAL_DISK_FULL: 503,
  COLLECTOR_WAL_IO: 503,
  COLLECTOR_WAL_FAILED: 503,
  COLLECTOR_WAL_OVERLOADED: 503,
  COLLECTOR_WAL_RECORD_TOO_LARGE: 413,
  COLLECTOR_WAL_CONFIG_INVALID: 500,
  COLLECTOR_WAL_CURSOR_INVALID: 500,
  COLLECTOR_WAL_LOCKED: 500,
  COLLECTOR_WAL_NOT_FOUND: 500,
  COLLECTOR_WAL_ARCHIVE_GAP: 500,
  COLLECTOR_WAL_ARCHIVE_EMPTY: 500,
  COLLECTOR_WAL_ARCHIVE_BEHIND: 503,
  COLLECTOR_WAL_RESTORE_NOT_EMPTY: 500,
};

export class WalError extends Error {
  override readonly name = 'WalError';
  /** HTTP status a request failing with this error answers with. */
  readonly status: number;
  constructor(
    readonly code: WalErrorCode,
    message: string,
    options: { readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = STATUS_BY_CODE[code];
  }
}

export function isWalError(value: unknown): value is WalError {
  return value instanceof Error && value.name === 'WalError' && typeof (value as WalError).code === 'string';
}

/** Maps a failed write/fsync to a typed error: ENOSPC and EDQUOT are "disk full", the rest I/O. */
export function walWriteError(cause: unknown, what: string): WalError {
  if (isWalError(cause)) return cause;
  const errno = (cause as { code?: unknown } | null)?.code;
  if (errno === 'ENOSPC' || errno === 'EDQUOT') {
    return new WalError('COLLECTOR_WAL_DISK_FULL', `The disk holding the write-ahead log is full (${what}); nothing of this batch was kept, retry later.`, { cause });
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new WalError('COLLECTOR_WAL_IO', `The write-ahead log could not ${what}: ${detail}; nothing of this batch was kept.`, { cause });
}
