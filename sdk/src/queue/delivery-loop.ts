import type { Outcome } from '@shopstream/shared';
import { SdkError } from '../errors.js';
import type { Timers } from '../config.js';
import type { Storage, StoredBatch } from '../storage/storage.js';
import type { Transport } from '../transport/transport.js';

/** How one delivery round of a batch ended. `parked`: retries exhausted, batch kept for later. */
export type Settlement = 'delivered' | 'dropped' | 'parked';

export interface DeliveryLoopOptions {
  readonly storage: Storage;
  /** Already wrapped with retries: a `retryable` outcome here means the round is exhausted. */
  readonly transport: Transport;
  readonly encode: (batch: StoredBatch) => Promise<Uint8Array>;
  readonly headers: Readonly<Record<string, string>>;
  readonly inFlightMax: number;
  readonly requestTimeoutMs: number;
  /** After an exhausted round, no batch is sent for this long (or the server's Retry-After, if longer). */
  readonly parkMs: number;
  readonly onRetriesExhausted: 'keep' | 'drop';
  readonly now: () => number;
  readonly timers: Timers;
  readonly onStart: (batch: StoredBatch) => void;
  readonly onSettle: (batch: StoredBatch, settlement: Settlement, error: Error | undefined) => void;
  /** Storage failed to peek or ack: reported, and the loop backs off by `parkMs`. */
  readonly onStorageError: (error: Error) => void;
}

/**
 * Moves batches from storage to the collector: up to `inFlightMax` requests at once, oldest
 * first, and a batch leaves storage only after a 2xx (or when it is final-rejected and dropped).
 * When a round exhausts its retries the whole loop parks: the collector is down or shedding
 * load, so sending other batches would only add to it.
 */
export class DeliveryLoop {
  private readonly inFlight = new Map<string, StoredBatch>();
  private pumping = false;
  private pumpAgain = false;
  private stopped = false;
  private parkedUntilMs = 0;
  private parkTimer: unknown;
  /** Ids settled while a peek was running: its result may still list them. */
  private settledDuringPeek: Set<string> | undefined;
  private lastPeekEmpty = false;
  private waiters: Array<{ includeParked: boolean; resolve: () => void }> = [];

  constructor(private readonly options: DeliveryLoopOptions) {}

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  get parked(): boolean {
    return this.options.now() < this.parkedUntilMs;
  }

  /** New batches were stored, a request finished, or a park ended: send what fits. */
  kick(): void {
    // New work may exist until a peek says otherwise.
    this.lastPeekEmpty = false;
    if (this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.pump();
  }

  /**
   * Resolves once nothing is in flight and storage is empty, or (with `includeParked`) once
   * nothing is in flight and the loop is parked: everything has had its full retry round.
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
    if (this.parkTimer !== undefined) this.options.timers.clearTimeout(this.parkTimer);
    this.parkTimer = undefined;
  }

  private async pump(): Promise<void> {
    try {
      await this.pumpRounds();
    } finally {
      // Synchronously at the end, so a kick that raced the last round is never lost.
      this.pumping = false;
      if (this.pumpAgain && !this.stopped) {
        this.pumpAgain = false;
        queueMicrotask(() => this.kick());
      }
    }
  }

  private async pumpRounds(): Promise<void> {
    do {
      this.pumpAgain = false;
      if (this.stopped) return;
      const remainingParkMs = this.parkedUntilMs - this.options.now();
      if (remainingParkMs > 0) {
        this.armParkTimer(remainingParkMs);
        this.checkWaiters();
        return;
      }
      const free = this.options.inFlightMax - this.inFlight.size;
      if (free <= 0) return;
      const settled = new Set<string>();
      this.settledDuringPeek = settled;
      let batches: StoredBatch[];
      try {
        batches = await this.options.storage.peek(this.inFlight.size + free);
      } catch (error) {
        this.options.onStorageError(error instanceof Error ? error : new Error(String(error)));
        this.parkedUntilMs = this.options.now() + this.options.parkMs;
        this.pumpAgain = true; // next round arms the park timer
        continue;
      } finally {
        this.settledDuringPeek = undefined;
      }
      this.lastPeekEmpty = batches.length === 0;
      for (const batch of batches) {
        if (this.stopped || this.inFlight.size >= this.options.inFlightMax) break;
        if (this.inFlight.has(batch.id) || settled.has(batch.id)) continue;
        this.start(batch);
      }
      this.checkWaiters();
    } while (this.pumpAgain);
  }

  private start(batch: StoredBatch): void {
    this.inFlight.set(batch.id, batch);
    this.options.onStart(batch);
    void this.deliver(batch);
  }

  private async deliver(batch: StoredBatch): Promise<void> {
    let outcome: Outcome;
    try {
      const body = await this.options.encode(batch);
      outcome = await this.options.transport.send(body, { ...this.options.headers }, this.options.requestTimeoutMs);
    } catch (error) {
      // Encoding threw: the batch can never be sent as is, so it is final.
      outcome = { status: 'failure', error: new SdkError('SDK_EVENT_INVALID', 'batch could not be encoded into a frame', { cause: error }) };
    }
    let settlement: Settlement;
    let error: Error | undefined;
    if (outcome.status === 'success') {
      settlement = 'delivered';
    } else if (outcome.status === 'failure') {
      settlement = 'dropped';
      error = outcome.error;
    } else {
      error = outcome.error ?? new SdkError('SDK_RETRIES_EXHAUSTED', 'batch not accepted after all attempts');
      settlement = this.options.onRetriesExhausted === 'drop' ? 'dropped' : 'parked';
      if (settlement === 'parked') {
        const waitMs = Math.max(this.options.parkMs, outcome.retryAfterMs ?? 0);
        this.parkedUntilMs = Math.max(this.parkedUntilMs, this.options.now() + waitMs);
      }
    }
    if (settlement !== 'parked') {
      try {
        await this.options.storage.ack([batch.id]);
      } catch (ackError) {
        // The batch stays stored and will be resent: ids make that harmless.
        this.options.onStorageError(ackError instanceof Error ? ackError : new Error(String(ackError)));
      }
    }
    this.inFlight.delete(batch.id);
    this.settledDuringPeek?.add(batch.id);
    this.options.onSettle(batch, settlement, error);
    this.kick();
    this.checkWaiters();
  }

  private armParkTimer(ms: number): void {
    if (this.parkTimer !== undefined) return;
    this.parkTimer = this.options.timers.setTimeout(() => {
      this.parkTimer = undefined;
      this.kick();
    }, ms);
  }

  private checkWaiters(): void {
    if (this.waiters.length === 0 || this.inFlight.size > 0) return;
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
