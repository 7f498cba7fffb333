/**
 * The result of handing data to the next hop (a transport, a sink). Outcomes are values, not
 * exceptions, so retry wrappers can decide without try/catch: `retryable` may carry the
 * server's `Retry-After` in milliseconds; `failure` is final and never retried.
 */
export type Outcome =
  | { readonly status: 'success' }
  | { readonly status: 'retryable'; readonly retryAfterMs?: number; readonly error?: Error }
  | { readonly status: 'failure'; readonly error: Error };
