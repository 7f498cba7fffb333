import type { ServerResponse } from 'node:http';
import { isSharedError } from '@shopstream/shared';
import { isCollectorError } from '../errors.js';

/** What an error answer needs: the status, a stable code and a sentence for people. */
export interface HttpFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly retryAfterSec?: number | undefined;
}

/** Seconds a sender should wait after a 503 the WAL caused (disk full, overloaded). */
const WAL_RETRY_AFTER_SEC = 5;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Any thrown value as an HTTP answer: frame errors from shared are the sender's fault (400, 413 for sizes). */
export function toHttpFailure(error: unknown): HttpFailure {
  if (isCollectorError(error)) return error;
  if (isSharedError(error)) {
    const status = error.code === 'SHARED_FRAME_TOO_LARGE' || error.code === 'SHARED_PAYLOAD_TOO_LARGE' ? 413 : 400;
    return { status, code: error.code, message: error.message };
  }
  const { status, code } = error as { status?: unknown; code?: unknown };
  if (code === 'COLLECTOR_WAL_DISK_FULL') {
    return { status: 503, code: 'COLLECTOR_DISK_FULL', message: (error as Error).message, retryAfterSec: WAL_RETRY_AFTER_SEC };
  }
  if (typeof status === 'number' && typeof code === 'string' && code.startsWith('COLLECTOR_')) {
    return { status, code, message: (error as Error).message, ...(status === 503 ? { retryAfterSec: WAL_RETRY_AFTER_SEC } : {}) };
  }
  return { status: 500, code: 'COLLECTOR_INTERNAL', message: 'The collector hit an unexpected error; the batch was not accepted, please retry.' };
}

export function sendError(res: ServerResponse, failure: HttpFailure, requestId?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (failure.retryAfterSec !== undefined) headers['retry-after'] = String(failure.retryAfterSec);
  sendJson(res, failure.status, { error: { code: failure.code, message: failure.message, ...(requestId ? { requestId } : {}) } }, headers);
}
