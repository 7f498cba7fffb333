/**
 * Ack-path gate: per-source rate limits (./source-rate-limiter.ts) once the event count is
 * known (frame header or JSON array), before the WAL append. 429 `COLLECTOR_RATE_LIMITED` with
 * `Retry-After` in whole seconds (at least 1).
 */
import { CollectorError } from '../../errors.js';
import type { IngestGate } from '../ingest-gate.js';
import type { SourceRateLimiter } from './source-rate-limiter.js';

export function rateLimitGate(limiter: SourceRateLimiter, onLimited?: (source: string, limit: 'requests' | 'events') => void): IngestGate {
  return {
    name: 'rate-limit',
    onBatch(request, batch) {
      const source = request.source;
      if (!source) return undefined;
      const decision = limiter.check(source.id, batch.eventCount);
      if (decision.status === 'allowed') return undefined;
      onLimited?.(source.id, decision.limit);
      const retryAfterSec = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      return new CollectorError(
        'COLLECTOR_RATE_LIMITED',
        `Source "${source.id}" is over its limit of ${decision.perSec} ${decision.limit}/s; retry after ${retryAfterSec} s.`,
        { status: 429, retryAfterSec },
      );
    },
  };
}
