/**
 * What a PostgreSQL error means for the rows in hand. Only errors about the data itself are
 * the rows' fault: class 22 (data exception: a `\u0000` in JSON, a time that does not exist),
 * 23 (a constraint refused it) and 54 (a value too large to index). Those are narrowed to the
 * rows that cause them and dead-lettered. Everything else (connection lost, server shutting
 * down, no space, missing table or rights, a timeout) is `retryable`: an operator can fix it,
 * and holding the WAL cursor loses nothing while lag and alarms grow.
 */
const ROW_ERROR_CLASSES = new Set(['22', '23', '54']);

export function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 && ROW_ERROR_CLASSES.has(code.slice(0, 2));
}

/** `22P05 unsupported Unicode escape sequence` */
export function describePgError(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown; detail?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const code = typeof e?.code === 'string' && e.code.length === 5 ? `${e.code} ` : '';
  const detail = typeof e?.detail === 'string' ? ` (${e.detail})` : '';
  return `${code}${message}${detail}`;
}
