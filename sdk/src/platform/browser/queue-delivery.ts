import { runDelivery } from '../../delivery/delivery-engine.js';
import { firstGreedyRun, retryDelayMs, type EventEnvelope } from '@shopstream/shared';
import { SdkError } from '../../errors.js';
import type { IndexedDbQueue, QueueState } from '../../storage/indexeddb.js';
import type { StoredBatch } from '../../storage/storage.js';
import type { Transport } from '../../transport/transport.js';
import type { ResolvedBrowserConfig } from './config.js';
import { encodeRequestBody } from './request-body.js';
import { writeBackoff } from './saved-backoff.js';

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
  /** Called with the records the collector acknowledged (or refused for good). */
  readonly onAcked: (records: readonly StoredBatch[]) => void;
}

/**
 * What the caller should do next: try again after this many ms, or (undefined) nothing: the
 * queue is empty, the client offline or stopped.
 */
export type RetryAfterMs = number | undefined;

/**
 * The browser's I/O for the SDK's one delivery engine (../../delivery/delivery-engine.ts), run
 * by the one tab holding the flush lock (./tab-lock.ts): batches come from the shared IndexedDB
 * queue (state and records read in one transaction), cut by `batchBytesMax` with shared's greedy
 * split; a refused batch adds its events to the dropped count the next batch reports; a kept one
 * (retryable, or 401/403 `SDK_UNAUTHORIZED`, reported on the first failed try) writes the saved
 * backoff (./saved-backoff.ts) so a reload does not retry early.
 */
export function deliverQueued(config: ResolvedBrowserConfig, io: DeliverIo, renew: () => Promise<boolean>): Promise<RetryAfterMs> {
  const { queue, now } = io;
  const { onError } = config;
  // One sender, one batch at a time: the batch in hand is its records; the queue state read with
  // them (dropped count, failed attempts) and the stamped events wait here.
  let state: QueueState;
  let events: EventEnvelope[];
  return runDelivery<StoredBatch[]>({
    async take() {
      if (!io.active() || !(await renew())) return;
      let oldest: StoredBatch[];
      [state, oldest] = await queue.snapshot(config.batchEventsMax);
      if (state.notBeforeMs > now()) return state.notBeforeMs - now();
      const records = firstGreedyRun(oldest, (record) => record.bytes, config.batchBytesMax);
      events = stampForSending(records, state.dropped, io.iso(now()));
      if (records.length) return records;
    },
    send: async () => io.transport.send(await encodeRequestBody(events, config.sealer), {}, config.requestTimeoutMs),
    async settle(records, outcome) {
      // A 2xx reported `dropped`; a final refusal adds the batch's events to the next report.
      const { error } = outcome as { error?: Error };
      const ids = records.map((r) => r.id);
      await queue.ack(ids, error ? events.length : -state.dropped);
      // The message is the batch size (README "Browser"): short, this ships in every shop's bundle.
      if (error) onError?.(new SdkError('SDK_BATCH_REJECTED', String(ids.length), { cause: error }));
      io.onAcked(records);
    },
    async keep(_, outcome) {
      const { error, retryAfterMs } = outcome as { error?: Error; retryAfterMs?: number };
      const attempts = state.attempts + 1;
      const afterMs = Math.max(retryDelayMs(retryAfterMs, attempts, config, io.random), 100);
      await writeBackoff(queue, attempts, now() + afterMs);
      if (error && !state.attempts) onError?.(error); // once per episode: the first failed try
      return afterMs;
    },
  });
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
