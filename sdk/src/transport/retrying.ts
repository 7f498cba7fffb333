import { SdkError } from '../errors.js';
import { retryDelayMs, type RetryPolicy } from '@shopstream/shared';
import type { DeliveryOutcome } from '../delivery/delivery-outcome.js';
import type { Transport } from './transport.js';

/** Waits `ms`, or less when `signal` aborts (shutdown must not sit out a long backoff). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const defaultSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export type { RetryPolicy } from '@shopstream/shared';

export interface RetryingTransportOptions extends RetryPolicy {
  /** Sends per call, first included; then the last retryable outcome is returned to the caller. */
  readonly attemptsMax: number;
  readonly random: () => number;
  readonly sleep?: Sleep;
  /** Aborting stops waiting between attempts and returns the last outcome (used by close()). */
  readonly signal?: AbortSignal;
  /** Called before each wait, for the `retries` counter and logs. */
  readonly onRetry?: (attempt: number, delayMs: number, outcome: DeliveryOutcome) => void;
}

/**
 * Wraps any Transport with retries: network errors, 408, 429 and 5xx come back `retryable`
 * from the inner transport (`../delivery/classify-status.ts`) and are sent again after the wait
 * `retryDelayMs` gives (the server's `Retry-After`, else full jitter); `failure` (other 4xx)
 * and `paused` (401/403) return at once. After `attemptsMax` sends the last outcome is
 * returned, still `retryable`, and the delivery engine keeps the batch and waits.
 */
export function createRetryingTransport(inner: Transport, options: RetryingTransportOptions): Transport {
  const sleep = options.sleep ?? defaultSleep;
  return {
    async send(body, headers, timeoutMs) {
      let outcome: DeliveryOutcome = { status: 'retryable' };
      let sends = 0;
      for (let attempt = 1; attempt <= options.attemptsMax; attempt++) {
        outcome = await inner.send(body, headers, timeoutMs);
        sends = attempt;
        if (outcome.status !== 'retryable') return outcome;
        if (attempt === options.attemptsMax || options.signal?.aborted) break;
        const delayMs = retryDelayMs(outcome.retryAfterMs, attempt, options, options.random);
        options.onRetry?.(attempt, delayMs, outcome);
        await sleep(delayMs, options.signal);
        if (options.signal?.aborted) break;
      }
      const cause = outcome.status === 'retryable' ? outcome.error : undefined;
      const error = new SdkError('SDK_RETRIES_EXHAUSTED', `batch not accepted after ${sends} attempt(s)${cause ? `: ${cause.message}` : ''}`, { cause });
      return outcome.status === 'retryable' && outcome.retryAfterMs !== undefined
        ? { status: 'retryable', retryAfterMs: outcome.retryAfterMs, error }
        : { status: 'retryable', error };
    },
    close: () => inner.close?.() ?? Promise.resolve(),
  };
}
