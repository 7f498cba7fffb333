import type { Outcome } from '@shopstream/shared';
import { SdkError } from '../errors.js';
import { parseRetryAfterMs } from './retry-after.js';

/**
 * Maps a collector answer to an Outcome, the same way for every HTTP transport (undici, fetch):
 * 2xx success; 408, 429 and 5xx retryable (with `Retry-After` when given); any other status is
 * final, because resending the same bytes would get the same answer.
 */
export function outcomeForStatus(status: number, retryAfter: string | null | undefined, nowMs: number, detail = ''): Outcome {
  if (status >= 200 && status < 300) return { status: 'success' };
  const error = new SdkError('SDK_HTTP_STATUS', `collector answered HTTP ${status}${detail && `: ${detail.slice(0, 300)}`}`, { status });
  return status === 408 || status === 429 || status >= 500
    ? { status: 'retryable', retryAfterMs: parseRetryAfterMs(retryAfter, nowMs), error } // undefined when not given
    : { status: 'failure', error };
}
