import type { Outcome } from '@shopstream/shared';
import type { DeliveryOutcome } from './delivery-outcome.js';

/**
 * What the delivery engine needs from a platform. Node (the core client: memory or file queue,
 * several batches in flight) and the browser (the IndexedDB queue shared by tabs, one sender)
 * differ only here, in I/O: where the next batch comes from, how it is sent, how a settled batch
 * leaves the queue and how a wait is remembered (in memory, or in IndexedDB across reloads).
 */
export interface DeliveryIo<B extends object> {
  /**
   * The next batch to send; or the ms to wait before one may go (a backoff or a pause is
   * running); or undefined: nothing to send now (queue empty, client stopped, offline).
   */
  take(): Promise<B | number | undefined>;
  send(batch: B): Promise<DeliveryOutcome>;
  /** The batch leaves the queue: acknowledged (`success`) or refused for good (`failure`: counted as dropped). */
  settle(batch: B, outcome: Extract<Outcome, { status: 'success' | 'failure' }>): Promise<void>;
  /**
   * The batch stays queued (`retryable`: the collector is down or shedding load; `paused`: the
   * credentials were refused); returns how long delivery now waits, in ms.
   */
  keep(batch: B, outcome: Extract<DeliveryOutcome, { status: 'retryable' | 'paused' }>): Promise<number>;
}

/**
 * The SDK's one delivery engine, the same rules on every platform: batches go oldest first; a
 * batch leaves the queue only after a 2xx, or when the collector refuses it for good (400, 413,
 * 422: the same bytes would be refused again, so a poison batch cannot block the queue);
 * anything else keeps it and stops this run for the wait `keep` decides, so a collector that is
 * down, or refuses the credentials, gets no further batches until then. Resolves with that wait,
 * or undefined when there is nothing to send.
 */
export async function runDelivery<B extends object>(io: DeliveryIo<B>): Promise<number | undefined> {
  for (;;) {
    const batch = await io.take();
    if (typeof batch !== 'object') return batch;
    const outcome = await io.send(batch);
    if (outcome.status === 'retryable' || outcome.status === 'paused') return io.keep(batch, outcome);
    await io.settle(batch, outcome);
  }
}
