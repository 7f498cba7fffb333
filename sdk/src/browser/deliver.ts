import type { EventEnvelope } from '@shopstream/shared';
import { SdkError } from '../errors.js';
import type { IndexedDbQueue } from '../storage/indexeddb.js';
import type { StoredBatch } from '../storage/storage.js';
import { fullJitterDelayMs } from '@shopstream/shared';
import type { Transport } from '../transport/transport.js';
import type { ResolvedBrowserConfig } from './config.js';
import { encodeRequestBody } from './request-body.js';
import { writeBackoff } from './retry-state.js';

export interface DeliverIo {
  readonly queue: IndexedDbQueue;
  readonly transport: Transport;
  readonly now: () => number;
  /** ISO-8601 text of an epoch ms (`sentAt`); the client's cached formatter. */
  readonly iso: (ms: number) => string;
  readonly random: () => number;
  /**
   * False stops the loop between batches: consent revoked, client closed, or offline
   * (`navigator.onLine`; nothing is tried until the `online` event).
   */
  readonly active: () => boolean;
  /** Called with the ids the collector acknowledged. */
  readonly onAcked: (ids: readonly string[]) => void;
}

/**
 * What the caller should do next: try again after this many ms, or (undefined) nothing: the
 * queue is empty, the client offline or stopped.
 */
export type RetryAfterMs = number | undefined;

/**
 * Sends the shared queue batch by batch until it is empty; run by the one tab holding the flush
 * lock. A batch leaves the queue only after a 2xx. A retryable answer stores the backoff
 * (`Retry-After` when the collector gave one, else full jitter) in IndexedDB, so a reload does
 * not retry early. A final refusal (400, 413, 422: the same bytes would be refused again) drops
 * the batch and adds it to the dropped count, so a poison batch cannot block the queue forever
 * and its loss is still reported; 401 and 403 are configuration errors and are retried.
 */
export async function deliverQueued(config: ResolvedBrowserConfig, io: DeliverIo, renew: () => Promise<boolean>): Promise<RetryAfterMs> {
  const { queue, now } = io;
  const { onError } = config;
  for (;;) {
    if (!io.active() || !(await renew())) return undefined;
    const [{ dropped, attempts: failed, notBeforeMs }, oldest] = await queue.snapshot(config.batchEventsMax);
    const waitMs = notBeforeMs - now();
    if (waitMs > 0) return waitMs;
    const records = takeBatch(oldest, config.batchBytesMax);
    if (records.length === 0) return undefined;
    const events = stampForSending(records, dropped, io.iso(now()));
    const outcome = await io.transport.send(await encodeRequestBody(events, config.sealer), {}, config.requestTimeoutMs);
    const ids = records.map((r) => r.id);
    const { error, retryAfterMs } = outcome as { error?: SdkError; retryAfterMs?: number };
    // 400, 413, 422 are final: the same bytes would be refused again. 401/403 wait for a fixed key.
    // Settled: a 2xx (no error), or a final refusal other than 401/403.
    if (outcome.status !== 'retryable' && error?.status !== 401 && error?.status !== 403) {
      // A 2xx reported `dropped`; a final refusal adds the batch's events to the next report.
      const refused = outcome.status !== 'success';
      await queue.ack(ids, refused ? events.length : -dropped);
      if (refused) onError?.(new SdkError('SDK_BATCH_REJECTED', `${ids.length} refused`, { cause: error }));
      io.onAcked(ids);
      continue;
    }
    const attempts = failed + 1;
    const afterMs =
      retryAfterMs !== undefined
        ? Math.min(retryAfterMs, config.retryAfterMaxMs)
        : Math.max(fullJitterDelayMs(attempts, config.retryBaseMs, config.retryMaxMs, io.random), 100);
    await writeBackoff(queue, attempts, now() + afterMs);
    if (error && attempts === 1) onError?.(error);
    return afterMs;
  }
}

/** The oldest records up to the byte limit, at least one (a record larger than the limit goes alone). */
function takeBatch(records: readonly StoredBatch[], bytesMax: number): readonly StoredBatch[] {
  let bytes = 0;
  const end = records.findIndex((record, i) => (bytes += record.bytes) > bytesMax && i > 0);
  return end < 0 ? records : records.slice(0, end);
}

/**
 * Copies the events with `sentAt` (clock-skew correction) and, on the first event, the number of
 * events dropped since the last report (`context.dropped`), so the collector can count the loss.
 */
export function stampForSending(records: readonly StoredBatch[], dropped: number, sentAt: string): EventEnvelope[] {
  const events = records.flatMap((r) => r.events.map((e) => ({ ...e, sentAt })));
  if (dropped > 0 && events[0]) events[0] = { ...events[0], context: { ...events[0].context, dropped } };
  return events;
}
