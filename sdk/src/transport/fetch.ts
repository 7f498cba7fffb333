import { SdkError } from '../errors.js';
import { outcomeForStatus } from '../delivery/classify-status.js';
import type { DeliveryOutcome } from '../delivery/delivery-outcome.js';
import { KEEPALIVE_BODY_BYTES_MAX, textPlainBody } from './keepalive-body.js';
import type { Transport } from './transport.js';

export interface FetchTransportOptions {
  /** Full URL of the collector's batch route, write key included (`…/v1/batch?writeKey=…`). */
  readonly url: string;
  readonly fetch?: typeof globalThis.fetch;
  readonly now?: () => number;
}

/**
 * POSTs a frame with `fetch`. The body goes as a `text/plain` Blob with no custom header, which keeps
 * the request CORS-simple (no preflight round trip); the collector recognises a frame by its
 * magic bytes and reads the write key from the query. `keepalive` (up to its 64 KiB cap, above
 * which the request goes without it) lets a flush started just before the page goes away finish.
 */
export function createFetchTransport(options: FetchTransportOptions): Transport {
  const now = options.now ?? Date.now;
  return {
    async send(body, headers, timeoutMs): Promise<DeliveryOutcome> {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      try {
        const response = await (options.fetch ?? fetch)(options.url, {
          method: 'POST',
          body: textPlainBody(body),
          headers,
          keepalive: body.length <= KEEPALIVE_BODY_BYTES_MAX,
          credentials: 'omit',
          signal: abort.signal,
        });
        // Read on a 2xx too (a few bytes; it frees the connection): the classifier ignores it there.
        const detail = await response.text().catch(() => '');
        return outcomeForStatus(response.status, response.headers.get('retry-after'), now(), detail);
      } catch (error) {
        // Short texts: the code says it (README "Browser", errors); this runs in every shop's bundle.
        return { status: 'retryable', error: new SdkError(abort.signal.aborted ? 'SDK_TIMEOUT' : 'SDK_NETWORK', 'fetch', { cause: error }) };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
