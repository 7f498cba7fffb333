import { Pool } from 'undici';
import { SdkError } from '../errors.js';
import { outcomeForStatus } from '../delivery/classify-status.js';
import type { DeliveryOutcome } from '../delivery/delivery-outcome.js';
import type { Transport } from './transport.js';

export interface UndiciTransportOptions {
  /** Full URL of the collector's batch route, e.g. `https://collect.example.com/v1/batch`. */
  readonly endpoint: string;
  /** Keep-alive connections in the pool; match `inFlightMax`. Default 4. */
  readonly connectionsMax?: number;
  /**
   * Extra requests sent on a connection before the previous answer; 0 (off) by default, since a
   * stalled request would hold up the ones behind it. Mapped to undici's `pipelining: 1 + n`:
   * undici's own 0 would also turn keep-alive off (`connection: close` on every request).
   */
  readonly pipelining?: number;
  readonly connectTimeoutMs?: number;
  /** Idle keep-alive sockets close after this. Default 30 s. */
  readonly keepAliveTimeoutMs?: number;
  /** Error answers are read up to this many bytes for the message. Default 1 KiB. */
  readonly errorBodyBytesMax?: number;
  readonly now?: () => number;
}

export interface ClosableTransport extends Transport {
  close(): Promise<void>;
}

/**
 * The Node transport: one undici keep-alive Pool to the collector origin. Timeouts and network
 * errors come back `retryable`; statuses map through `outcomeForStatus`.
 */
export function createUndiciTransport(options: UndiciTransportOptions): ClosableTransport {
  const url = new URL(options.endpoint);
  const path = `${url.pathname}${url.search}`;
  const now = options.now ?? Date.now;
  const errorBodyBytesMax = options.errorBodyBytesMax ?? 1024;
  const pool = new Pool(url.origin, {
    connections: options.connectionsMax ?? 4,
    pipelining: 1 + (options.pipelining ?? 0),
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
  });
  return {
    async send(body, headers, timeoutMs): Promise<DeliveryOutcome> {
      try {
        const response = await pool.request({
          path,
          method: 'POST',
          headers,
          body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const { statusCode } = response;
        if (statusCode >= 200 && statusCode < 300) {
          await response.body.dump();
          return { status: 'success' };
        }
        const detail = await readSome(response.body, errorBodyBytesMax);
        const retryAfter = response.headers['retry-after'];
        return outcomeForStatus(statusCode, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, now(), detail);
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        const timedOut = code.includes('TIMEOUT');
        const sdkError = timedOut
          ? new SdkError('SDK_TIMEOUT', `collector did not answer within ${timeoutMs} ms (${code})`, { cause: error })
          : new SdkError('SDK_NETWORK', `could not reach the collector at ${url.origin}: ${(error as Error).message}`, { cause: error });
        return { status: 'retryable', error: sdkError };
      }
    },
    close: () => pool.close(),
  };
}

async function readSome(body: AsyncIterable<Uint8Array> & { dump(): Promise<void> }, bytesMax: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    total += chunk.length;
    if (total >= bytesMax) break;
  }
  await body.dump().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, bytesMax).toString('utf8');
}
