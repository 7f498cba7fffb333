import { SdkError } from '../errors.js';
import { parseRetryAfterMs } from '../transport/retry-after.js';
import type { DeliveryOutcome } from './delivery-outcome.js';

/**
 * The one classifier of collector answers, for every HTTP transport (undici in Node, fetch in
 * the browser), like OpenTelemetry's `is-export-retryable.ts`: 2xx success; 401 and 403 `paused`
 * (`SDK_UNAUTHORIZED`: the batch is kept until the credentials are fixed); 408, 429 and 5xx
 * retryable, with the server's `Retry-After` when given; any other status is final, because
 * resending the same bytes would get the same answer.
 */
export function outcomeForStatus(status: number, retryAfter: string | null | undefined, nowMs: number, detail = ''): DeliveryOutcome {
  if (status >= 200 && status < 300) return { status: 'success' };
  const paused = status === 401 || status === 403;
  // One literal (this runs in every shop's bundle); `retryAfterMs` (undefined when not given) is read only when retryable.
  return {
    status: paused ? 'paused' : status === 408 || status === 429 || status >= 500 ? 'retryable' : 'failure',
    retryAfterMs: parseRetryAfterMs(retryAfter, nowMs),
    error: new SdkError(paused ? 'SDK_UNAUTHORIZED' : 'SDK_HTTP_STATUS', `collector answered HTTP ${status}${detail && `: ${detail.slice(0, 300)}`}`, { status }),
  } as DeliveryOutcome;
}
