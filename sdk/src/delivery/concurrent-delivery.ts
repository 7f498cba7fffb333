import type { Timers } from '../config.js';
import { SdkError } from '../errors.js';
import type { Storage, StoredBatch } from '../storage/storage.js';
import type { Transport } from '../transport/transport.js';
import { runDelivery, type DeliveryIo } from './delivery-engine.js';
import type { DeliveryOutcome } from './delivery-outcome.js';

/**
 * How one delivery round of a batch ended. `parked`: retries exhausted, batch kept for later;
 * `paused`: the collector refused the credentials (401/403), batch kept until they are fixed.
 */
export type Settlement = 'delivered' | 'dropped' | 'parked' | 'paused';

export interface ConcurrentDeliveryOptions {
  readonly storage: Storage;
  /** Already wrapped with retries: a `retryable` outcome here means the round is exhausted. */
  readonly transport: Transport;
  readonly encode: (batch: StoredBatch) => Promise<Uint8Array>;
  /** Read on every send, so new credentials (`setCredentials`) apply to the next request. */
  readonly headers: Readonly<Record<string, string>>;
  readonly inFlightMax: number;
  readonly requestTimeoutMs: number;
  /** After an exhausted round or a refused credential, no batch is sent for this long (or the server's Retry-After, if longer). */
  readonly parkMs: number;
  /** `drop`: a batch whose retries are exhausted is dropped. Never applies to `paused` (401/403): those are always kept. */
  readonly onRetriesExhausted: 'keep' | 'drop';
  readonly now: () => number;
  readonly timers: Timers;
  readonly onStart: (batch: StoredBatch) => void;
  readonly onSettle: (batch: StoredBatch, settlement: Settlement, error: Error | undefined) => void;
  /** Storage failed to peek or ack: reported, and delivery waits `parkMs`. */
  readonly onStorageError: (error: Error) => void;
}

/**
 * Runs the delivery engine (./delivery-engine.ts) for the core client with up to `inFlightMax`
 * batches in flight: that many lanes, each a `runDelivery` loop, claim batches from one storage
 * oldest first, one claim at a time, so no batch is sent twice at once. When a lane keeps a
 * batch (retries exhausted, or credentials refused) every lane stops for the wait (the park):
 * sending other batches would only add load to a collector that is down, or collect more 401s.
 */
export class ConcurrentDelivery {
  private readonly inFlight = new Map<string, StoredBatch>();
  private readonly io: DeliveryIo<StoredBatch>;
  private lanes = 0;
  /** Counts kicks, so a lane that found the queue empty looks again if a kick came meanwhile. */
  private kicks = 0;
  private stopped = false;
  private parkedUntilMs = 0;
  private parkTimer: unknown;
  /** After a refused credential, one lane probes until a batch is delivered (no burst of 401s). */
  private probing = false;
  private claiming: Promise<unknown> = Promise.resolve();
  /** Ids settled while a peek was running: its result may still list them. */
  private settledDuringPeek: Set<string> | undefined;
  private lastPeekEmpty = false;
  private waiters: Array<{ includeParked: boolean; resolve: () => void }> = [];

  constructor(private readonly options: ConcurrentDeliveryOptions) {
    this.io = {
      take: () => this.take(),
      send: (batch) => this.send(batch),
      settle: (batch, outcome) => this.settle(batch, outcome),
      keep: (batch, outcome) => this.keep(batch, outcome),
    };
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  get parked(): boolean {
    return this.options.now() < this.parkedUntilMs;
  }

  /** New batches were stored or a park ended: start lanes up to `inFlightMax`. */
  kick(): void {
    this.kicks++;
    // New work may exist until a peek says otherwise.
    this.lastPeekEmpty = false;
    if (this.stopped) return;
    const remainingMs = this.parkedUntilMs - this.options.now();
    if (remainingMs > 0) return this.armParkTimer(remainingMs);
    while (this.lanes < (this.probing ? 1 : this.options.inFlightMax)) void this.lane();
  }

  /** Ends a park at once (new credentials were set): the next batch goes now. */
  resume(): void {
    this.parkedUntilMs = 0;
    this.probing = false;
    this.clearParkTimer();
    this.kick();
  }

  /**
   * Resolves once nothing is in flight and storage is empty, or (with `includeParked`) once
   * nothing is in flight and delivery is parked: everything has had its full retry round.
   */
  whenIdle(includeParked: boolean): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ includeParked, resolve });
      this.kick();
      this.checkWaiters();
    });
  }

  /** Stops starting requests; requests in flight finish on their own (their acks still land). */
  stop(): void {
    this.stopped = true;
    this.clearParkTimer();
  }

  private async lane(): Promise<void> {
    this.lanes++;
    let waitMs: number | undefined;
    try {
      for (;;) {
        const kicks = this.kicks;
        waitMs = await runDelivery(this.io);
        if (waitMs !== undefined || this.stopped || kicks === this.kicks) break;
      }
    } finally {
      this.lanes--;
    }
    if (waitMs !== undefined) this.park(waitMs);
    this.checkWaiters();
  }

  private take(): Promise<StoredBatch | number | undefined> {
    const claim = this.claiming.then(() => this.claim());
    this.claiming = claim.catch(() => undefined);
    return claim;
  }

  /** The oldest stored batch not in flight (claimed for this lane), the park's remaining ms, or undefined. */
  private async claim(): Promise<StoredBatch | number | undefined> {
    for (;;) {
      if (this.stopped) return undefined;
      const remainingMs = this.parkedUntilMs - this.options.now();
      if (remainingMs > 0) return remainingMs;
      const settled = new Set<string>();
      this.settledDuringPeek = settled;
      const wanted = this.inFlight.size + 1;
      let batches: StoredBatch[];
      try {
        batches = await this.options.storage.peek(wanted);
      } catch (error) {
        this.options.onStorageError(error instanceof Error ? error : new Error(String(error)));
        return this.options.parkMs;
      } finally {
        this.settledDuringPeek = undefined;
      }
      const next = batches.find((batch) => !this.inFlight.has(batch.id) && !settled.has(batch.id));
      if (next) {
        this.inFlight.set(next.id, next);
        this.options.onStart(next);
        return next;
      }
      // Fewer than asked for: nothing else is stored. Else every one was in flight or settled meanwhile: look again.
      if (batches.length < wanted) {
        this.lastPeekEmpty = this.inFlight.size === 0;
        return undefined;
      }
    }
  }

  private async send(batch: StoredBatch): Promise<DeliveryOutcome> {
    let outcome: DeliveryOutcome;
    try {
      const body = await this.options.encode(batch);
      outcome = await this.options.transport.send(body, { ...this.options.headers }, this.options.requestTimeoutMs);
    } catch (error) {
      // Encoding threw: the batch can never be sent as is, so it is final.
      return { status: 'failure', error: new SdkError('SDK_EVENT_INVALID', 'batch could not be encoded into a frame', { cause: error }) };
    }
    if (outcome.status === 'retryable' && this.options.onRetriesExhausted === 'drop') {
      return { status: 'failure', error: outcome.error ?? new SdkError('SDK_RETRIES_EXHAUSTED', 'batch not accepted after all attempts') };
    }
    return outcome;
  }

  private async settle(batch: StoredBatch, outcome: DeliveryOutcome & { status: 'success' | 'failure' }): Promise<void> {
    try {
      await this.options.storage.ack([batch.id]);
    } catch (ackError) {
      // The batch stays stored and will be resent: ids make that harmless.
      this.options.onStorageError(ackError instanceof Error ? ackError : new Error(String(ackError)));
    }
    this.release(batch);
    this.options.onSettle(batch, outcome.status === 'success' ? 'delivered' : 'dropped', outcome.status === 'failure' ? outcome.error : undefined);
    if (this.probing && outcome.status === 'success') {
      this.probing = false;
      this.kick(); // the credentials work again: all lanes
    }
  }

  private async keep(batch: StoredBatch, outcome: DeliveryOutcome & { status: 'retryable' | 'paused' }): Promise<number> {
    this.release(batch);
    if (outcome.status === 'paused') {
      this.probing = true;
      this.options.onSettle(batch, 'paused', outcome.error);
      return this.options.parkMs;
    }
    this.options.onSettle(batch, 'parked', outcome.error ?? new SdkError('SDK_RETRIES_EXHAUSTED', 'batch not accepted after all attempts'));
    return Math.max(this.options.parkMs, outcome.retryAfterMs ?? 0);
  }

  private release(batch: StoredBatch): void {
    this.inFlight.delete(batch.id);
    this.settledDuringPeek?.add(batch.id);
  }

  private park(waitMs: number): void {
    this.parkedUntilMs = Math.max(this.parkedUntilMs, this.options.now() + waitMs);
    this.armParkTimer(this.parkedUntilMs - this.options.now());
  }

  private armParkTimer(ms: number): void {
    if (this.parkTimer !== undefined || this.stopped) return;
    this.parkTimer = this.options.timers.setTimeout(() => {
      this.parkTimer = undefined;
      this.kick();
    }, ms);
  }

  private clearParkTimer(): void {
    if (this.parkTimer !== undefined) this.options.timers.clearTimeout(this.parkTimer);
    this.parkTimer = undefined;
  }

  private checkWaiters(): void {
    if (this.waiters.length === 0 || this.lanes > 0 || this.inFlight.size > 0) return;
    const idle = this.lastPeekEmpty;
    const parked = this.parked;
    this.waiters = this.waiters.filter((waiter) => {
      if (idle || (waiter.includeParked && parked)) {
        waiter.resolve();
        return false;
      }
      return true;
    });
  }
}
