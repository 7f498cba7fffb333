/**
 * The SDK client: `track()` and friends, batching, the queue and delivery wired together for both
 * platforms. (Just over 300 lines: the public API's methods share the client's state; its types
 * live in ./client-api.ts.)
 */
import { encodeFrame, uuidV7, type EventEnvelope, type EventKind } from '@shopstream/shared';
import { Batcher } from './batch/batcher.js';
import { buildEnvelope, type CallOptions, type EnvelopeFields, type Properties } from './batch/envelope.js';
import { estimateEnvelopeBytes } from './batch/event-size.js';
import { resolveSettings, type BatchInfo, type ClientOptions, type Timers } from './config.js';
import { SdkError, type SdkErrorCode } from './errors.js';
import { ByteBudget } from './batch/byte-budget.js';
import { ConcurrentDelivery, type Settlement } from './delivery/concurrent-delivery.js';
import type { StoredBatch } from './storage/storage.js';
import { createRetryingTransport } from './transport/retrying.js';
import { isMessage, type AliasMessage, type GroupMessage, type IdentifyMessage, type PageMessage, type TrackMessage } from './messages.js';
import type { Client, ClientStats, CloseResult, Credentials } from './client-api.js';

export type { Client, ClientStats, CloseResult, Credentials } from './client-api.js';

const ACCEPTED: Promise<void> = Promise.resolve();
const CONTENT_TYPE = 'application/vnd.shopstream.frame';
const defaultTimers: Timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };

export function createClient(options: ClientOptions): Client {
  return new ShopstreamClient(options);
}

class ShopstreamClient implements Client {
  private readonly settings;
  private readonly now: () => number;
  private readonly uuid: () => string;
  private readonly timers: Timers;
  private readonly batcher: Batcher;
  private readonly budget: ByteBudget;
  private readonly loop: ConcurrentDelivery;
  private readonly headers: Record<string, string>;
  private readonly shutdown = new AbortController();
  private readonly counts = { tracked: 0, queued: 0, sent: 0, delivered: 0, dropped: 0, retries: 0 };
  private flushTimer: unknown;
  private appendQueue: StoredBatch[] = [];
  private appending: Promise<void> | undefined;
  private closing: Promise<CloseResult> | undefined;
  private overflowReported = false;
  /** True from the first 401/403 until a batch is delivered or credentials change: reported once per episode. */
  private pausedReported = false;
  /** Why the last batch was not delivered, for close()'s report. */
  private lastFailure: Error | undefined;
  private userId: string | undefined;

  constructor(private readonly options: ClientOptions) {
    this.settings = resolveSettings(options);
    this.now = options.now ?? Date.now;
    this.uuid = options.uuid ?? uuidV7;
    this.timers = options.timers ?? defaultTimers;
    this.batcher = new Batcher(this.settings);
    this.budget = new ByteBudget(this.settings.bufferedBytesMax, this.settings.waitingEventsMax);
    const transport = createRetryingTransport(options.transport, {
      ...this.settings,
      random: options.random ?? Math.random,
      sleep: options.sleep,
      signal: this.shutdown.signal,
      onRetry: () => void this.counts.retries++,
    });
    const { codec, encoding, sealer } = options;
    this.headers = { 'Content-Type': CONTENT_TYPE, Authorization: `Bearer ${this.settings.writeKey}` };
    this.loop = new ConcurrentDelivery({
      ...this.settings,
      storage: options.storage,
      transport,
      parkMs: this.settings.retryMaxMs,
      now: this.now,
      timers: this.timers,
      headers: this.headers,
      encode: (batch) => {
        const sentAt = new Date(this.now()).toISOString();
        for (const event of batch.events) event.sentAt = sentAt;
        return encodeFrame(batch.events, { codec, encoding, sealer });
      },
      onStart: (batch) => this.onStart(batch),
      onSettle: (batch, settlement, error) => this.onSettle(batch, settlement, error),
      onStorageError: (error) => this.report(new SdkError('SDK_STORAGE_FAILED', `queue storage failed: ${error.message}`, { cause: error }), undefined),
    });
    // Batches left by an earlier run (durable storage) start flowing now.
    this.loop.kick();
  }

  track(typeOrMessage: string | TrackMessage, properties?: Properties, options?: CallOptions): Promise<void> {
    if (isMessage(typeOrMessage)) return this.enqueue('track', typeOrMessage.event, { properties: typeOrMessage.properties }, typeOrMessage);
    return this.enqueue('track', typeOrMessage, { properties }, options);
  }

  identify(userIdOrMessage: string | IdentifyMessage, traits?: Properties, options?: CallOptions): Promise<void> {
    const message = isMessage(userIdOrMessage) ? userIdOrMessage : { ...options, userId: userIdOrMessage, traits };
    if (this.options.rememberIdentity && message.userId !== undefined) this.userId = message.userId;
    return this.enqueue('identify', 'Identify', { traits: message.traits }, message);
  }

  page(nameOrMessage?: string | PageMessage, properties?: Properties, options?: CallOptions): Promise<void> {
    const message = isMessage(nameOrMessage) ? nameOrMessage : { ...options, name: nameOrMessage, properties };
    const props = message.name === undefined ? message.properties : { name: message.name, ...message.properties };
    return this.enqueue('page', 'Page Viewed', { properties: props }, message);
  }

  group(groupIdOrMessage: string | GroupMessage, traits?: Properties, options?: CallOptions): Promise<void> {
    const message = isMessage(groupIdOrMessage) ? groupIdOrMessage : { ...options, groupId: groupIdOrMessage, traits };
    return this.enqueue('group', 'Group', { groupId: message.groupId, traits: message.traits }, message);
  }

  alias(userIdOrMessage: string | AliasMessage, previousId?: string, options?: CallOptions): Promise<void> {
    const message = isMessage(userIdOrMessage) ? userIdOrMessage : { ...options, userId: userIdOrMessage, previousId: previousId ?? '' };
    if (this.options.rememberIdentity) this.userId = message.userId;
    return this.enqueue('alias', 'Alias', { previousId: message.previousId }, message);
  }

  async flushToStorage(): Promise<void> {
    this.cutBatch();
    while (this.appending) await this.appending;
    await this.options.storage.sync?.();
  }

  async flush(): Promise<void> {
    await this.flushToStorage();
    await this.loop.whenIdle(true);
  }

  close(options?: { deadlineMs?: number }): Promise<CloseResult> {
    this.closing ??= this.closeWithin(options?.deadlineMs ?? 10_000);
    return this.closing;
  }

  setCredentials(credentials: Credentials): void {
    if (credentials.writeKey !== undefined) {
      if (credentials.writeKey.trim() === '') throw new SdkError('SDK_CONFIG_INVALID', 'setCredentials: writeKey must not be empty');
      this.headers.Authorization = `Bearer ${credentials.writeKey}`;
    }
    this.pausedReported = false;
    this.loop.resume();
  }

  stats(): ClientStats {
    const storageDropped = this.options.storage.droppedEvents?.() ?? 0;
    return {
      ...this.counts,
      dropped: this.counts.dropped + storageDropped,
      bufferedBytes: this.budget.used,
      inFlight: this.loop.inFlightCount,
      waiting: this.budget.waiting,
    };
  }

  private enqueue(kind: EventKind, type: string, fields: EnvelopeFields, options: CallOptions | undefined): Promise<void> {
    this.counts.tracked++;
    if (this.closing) return this.refuse(1, 'SDK_CLOSED', `event "${type}" arrived after close(): dropped`);
    const nowMs = this.now();
    const envelope = buildEnvelope(kind, type, fields, options, {
      id: this.uuid(),
      nowMs,
      context: this.options.context,
      userId: this.userId,
      anonymousId: this.options.anonymousId,
    });
    let bytes: number;
    try {
      bytes = estimateEnvelopeBytes(envelope);
    } catch (error) {
      this.counts.dropped++;
      this.report(error as Error, undefined);
      return ACCEPTED;
    }
    if (bytes > this.settings.eventBytesMax) {
      return this.refuse(1, 'SDK_EVENT_TOO_LARGE', `event "${type}" is about ${bytes} bytes, over eventBytesMax ${this.settings.eventBytesMax}: dropped`);
    }
    if (this.budget.tryTake(bytes)) {
      this.accept(envelope, bytes);
      return ACCEPTED;
    }
    if (this.settings.overflow === 'block') {
      let settle!: () => void;
      const admitted = new Promise<void>((resolve) => (settle = resolve));
      const admit = (): void => {
        this.accept(envelope, bytes);
        settle();
      };
      const refuse = (): void => {
        this.counts.dropped++;
        settle();
      };
      if (this.budget.wait(bytes, admit, refuse)) return admitted;
    }
    return this.refuseOverflow(type);
  }

  private accept(envelope: EventEnvelope, bytes: number): void {
    this.counts.queued++;
    this.overflowReported = false;
    if (this.batcher.wouldOverflow(bytes)) this.cutBatch();
    this.batcher.push(envelope, bytes);
    if (this.batcher.isFull()) this.cutBatch();
    else if (this.batcher.count === 1) this.flushTimer = this.timers.setTimeout(() => this.cutBatch(), this.settings.flushIntervalMs);
  }

  /** Moves the open batch to storage. Appends are grouped: one storage write (one fsync) per group. */
  private cutBatch(): void {
    if (this.flushTimer !== undefined) {
      this.timers.clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    const open = this.batcher.cut();
    if (!open) return;
    this.appendQueue.push({ id: this.uuid(), events: open.events, bytes: open.bytes });
    this.appending ??= this.drainAppendQueue();
  }

  private async drainAppendQueue(): Promise<void> {
    while (this.appendQueue.length > 0) {
      const group = this.appendQueue;
      this.appendQueue = [];
      try {
        await this.options.storage.append(group);
        if (!this.options.storage.inMemory) this.budget.release(sumBytes(group));
      } catch (error) {
        const events = group.reduce((n, batch) => n + batch.events.length, 0);
        this.counts.dropped += events;
        this.budget.release(sumBytes(group));
        this.report(new SdkError('SDK_STORAGE_FAILED', `could not store ${events} events: ${(error as Error).message}`, { cause: error }), undefined);
      }
      this.loop.kick();
    }
    this.appending = undefined;
  }

  private onStart(batch: StoredBatch): void {
    // Batches read back from a durable storage are not counted against bufferedBytesMax: their
    // bytes were released when stored, and in flight they are bounded by inFlightMax × batchBytesMax.
    this.counts.sent += batch.events.length;
  }

  private onSettle(batch: StoredBatch, settlement: Settlement, error: Error | undefined): void {
    const info: BatchInfo = { id: batch.id, events: batch.events };
    // In-memory batches hold their bytes until they leave storage; a parked one keeps them.
    const leaves = settlement !== 'parked';
    if (leaves && this.options.storage.inMemory) this.budget.release(batch.bytes);
    if (settlement === 'delivered') {
      this.counts.delivered += batch.events.length;
      this.pausedReported = false;
      this.lastFailure = undefined;
      this.options.onDelivered?.(info);
      return;
    }
    this.lastFailure = error;
    if (settlement === 'paused') return this.reportPaused(error, info);
    if (settlement === 'dropped') this.counts.dropped += batch.events.length;
    this.report(error ?? new SdkError('SDK_RETRIES_EXHAUSTED', 'batch not delivered'), info);
  }

  /** Loud, once per episode: nothing is dropped, but nothing moves until the credentials are fixed. */
  private reportPaused(error: Error | undefined, batch: BatchInfo): void {
    if (this.pausedReported) return;
    this.pausedReported = true;
    const kept = this.options.storage.queuedEvents?.();
    const message =
      `the collector refused this source's credentials (${error?.message ?? '401/403'}): delivery is PAUSED and nothing is dropped` +
      `${kept === undefined ? '' : `; ${kept} events are kept in the queue`}. Fix the write key or secret and call setCredentials() (or restart with them); ` +
      `until then one batch is tried every ${this.settings.retryMaxMs} ms`;
    this.report(new SdkError('SDK_UNAUTHORIZED', message, { cause: error, status: (error as SdkError | undefined)?.status }), batch);
  }

  private refuse(events: number, code: SdkErrorCode, message: string): Promise<void> {
    this.counts.dropped += events;
    this.report(new SdkError(code, message), undefined);
    return ACCEPTED;
  }

  /** Logged once per overflow episode, not per event. */
  private refuseOverflow(type: string): Promise<void> {
    this.counts.dropped++;
    if (!this.overflowReported) {
      this.overflowReported = true;
      const how = this.settings.overflow === 'block' ? `and ${this.settings.waitingEventsMax} calls already wait` : "with overflow: 'drop'";
      this.report(new SdkError('SDK_BUFFER_FULL', `bufferedBytesMax (${this.settings.bufferedBytesMax} bytes) reached ${how}: "${type}" and further events are dropped until the collector catches up`), undefined);
    }
    return ACCEPTED;
  }

  private report(error: Error, batch: BatchInfo | undefined): void {
    try {
      this.options.onError?.(error, batch);
    } catch {
      // A throwing handler must not break delivery.
    }
  }

  private async closeWithin(deadlineMs: number): Promise<CloseResult> {
    let timer: unknown;
    const deadline = new Promise<false>((resolve) => (timer = this.timers.setTimeout(() => resolve(false), deadlineMs)));
    const drained = await Promise.race([this.flushToStorage().then(() => this.loop.whenIdle(false)).then(() => true as const), deadline]);
    this.timers.clearTimeout(timer);
    this.shutdown.abort();
    this.loop.stop();
    const refused = this.budget.refuseWaiters();
    if (refused > 0) this.report(new SdkError('SDK_CLOSED', `${refused} calls were still waiting for buffer room at close(): dropped`), undefined);
    const undelivered = this.options.storage.queuedEvents?.() ?? 0;
    if (undelivered > 0) this.report(this.undeliveredError(undelivered, drained, deadlineMs), undefined);
    await this.options.storage.close?.();
    await this.options.transport.close?.();
    return { drained, undelivered };
  }

  private undeliveredError(events: number, drained: boolean, deadlineMs: number): SdkError {
    const why = this.lastFailure ? `the last attempt failed: ${this.lastFailure.message}` : drained ? 'delivery was paused' : `the ${deadlineMs} ms deadline passed first`;
    const fate = this.options.storage.inMemory
      ? 'they were held in memory only and are LOST (set queueDir to keep them across restarts)'
      : 'they stay in the queue and are sent after the next start';
    return new SdkError('SDK_UNDELIVERED', `close() left ${events} events undelivered (${why}); ${fate}`, { cause: this.lastFailure });
  }
}

function sumBytes(batches: readonly StoredBatch[]): number {
  return batches.reduce((n, batch) => n + batch.bytes, 0);
}
