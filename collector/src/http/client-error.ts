/**
 * Requests node's HTTP parser refuses before any handler runs (a malformed request line or
 * header, headers too large, a body sent with a broken chunked encoding, a header timeout) get
 * the same JSON error body as every other refusal instead of node's bare `400 Bad Request`, then
 * the connection closes (the parser cannot find the next request in what follows).
 */
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import type { Logger } from 'pino';
import { LogEvent } from '../telemetry/events.js';
import type { CollectorMetrics } from '../telemetry/metrics.js';

interface ClientErrorDeps {
  readonly metrics: CollectorMetrics;
  readonly log: Logger;
}

export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, deps: ClientErrorDeps): void {
  // A reset or a closed socket has nobody left to answer.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, code, message } = describe(error);
  const body = JSON.stringify({ error: { code, message } });
  deps.metrics.requestDone('other', status);
  deps.log.debug({ event: LogEvent.BatchRejected, code, status, err: error }, message);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function describe(error: NodeJS.ErrnoException): { status: number; code: string; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'COLLECTOR_HEADERS_TOO_LARGE', message: 'The request headers are larger than the server accepts; send fewer or shorter headers.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADERS_TIMEOUT':
      return { status: 408, code: 'COLLECTOR_REQUEST_TIMEOUT', message: 'The request did not arrive in time; nothing was accepted, please retry.' };
    default:
      return { status: 400, code: 'COLLECTOR_MALFORMED_REQUEST', message: `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'}); nothing was accepted.` };
  }
}
