/**
 * When the collector pushes back. New batches get 503 with `Retry-After` (and /readyz turns
 * red) while the WAL is over its disk quota or a sink's oldest undelivered record is older than
 * `lagAgeMaxMs`; acknowledged data is never dropped to make room. `Retry-After` is the time the
 * measured drain rate needs to bring the WAL back under 90 % of its quota (or to clear the lag).
 */
import { CollectorError } from '../errors.js';

export interface LoadSignals {
  walBytesOnDisk(): number;
  readonly walQuotaBytes: number;
  readonly lagAgeMaxMs: number;
  /** Per sink: oldest undelivered record's age and undelivered WAL bytes. */
  sinkLags(): readonly { readonly sink: string; readonly lagAgeMs: number; readonly lagBytes: number }[];
  /** WAL bytes per second the slowest sink delivers (0 when unknown). */
  drainBytesPerSec(): number;
  shuttingDown(): boolean;
}

const RESUME_FILL = 0.9;
const RETRY_AFTER_SEC_MIN = 1;
const RETRY_AFTER_SEC_MAX = 120;
/** Used while nothing has drained yet, so there is no rate to measure. */
const RETRY_AFTER_SEC_UNKNOWN = 30;

export function retryAfterSec(bytesToDrain: number, drainBytesPerSec: number): number {
  if (drainBytesPerSec <= 0) return RETRY_AFTER_SEC_UNKNOWN;
  return Math.min(RETRY_AFTER_SEC_MAX, Math.max(RETRY_AFTER_SEC_MIN, Math.ceil(bytesToDrain / drainBytesPerSec)));
}

/** Why a new batch must wait, or `undefined` when it may come in. */
export function admission(signals: LoadSignals): CollectorError | undefined {
  if (signals.shuttingDown()) {
    return new CollectorError('COLLECTOR_SHUTTING_DOWN', 'The collector is shutting down; send the batch to another instance or retry shortly.', { status: 503, retryAfterSec: 2 });
  }
  const used = signals.walBytesOnDisk();
  if (used >= signals.walQuotaBytes) {
    const wait = retryAfterSec(used - signals.walQuotaBytes * RESUME_FILL, signals.drainBytesPerSec());
    return new CollectorError('COLLECTOR_WAL_QUOTA', `The write-ahead log is full (${used} of ${signals.walQuotaBytes} bytes) while sinks catch up; retry in ${wait} s. Nothing acknowledged is lost.`, { status: 503, retryAfterSec: wait });
  }
  const lagging = signals.sinkLags().filter((lag) => lag.lagAgeMs > signals.lagAgeMaxMs);
  if (lagging.length > 0) {
    const worst = lagging.reduce((a, b) => (b.lagAgeMs > a.lagAgeMs ? b : a));
    const wait = retryAfterSec(worst.lagBytes, signals.drainBytesPerSec());
    return new CollectorError('COLLECTOR_SINK_LAGGING', `Sink ${worst.sink} is ${Math.round(worst.lagAgeMs / 1000)} s behind (limit ${Math.round(signals.lagAgeMaxMs / 1000)} s); retry in ${wait} s.`, { status: 503, retryAfterSec: wait });
  }
  return undefined;
}

/** `/readyz`: every reason it is red, empty when ready. */
export function unreadyReasons(signals: LoadSignals): string[] {
  const reasons: string[] = [];
  if (signals.shuttingDown()) reasons.push('shutting down');
  const used = signals.walBytesOnDisk();
  if (used >= signals.walQuotaBytes) reasons.push(`WAL over quota (${used} of ${signals.walQuotaBytes} bytes)`);
  for (const lag of signals.sinkLags()) {
    if (lag.lagAgeMs > signals.lagAgeMaxMs) reasons.push(`sink ${lag.sink} lags ${lag.lagAgeMs} ms (limit ${signals.lagAgeMaxMs} ms)`);
  }
  return reasons;
}
