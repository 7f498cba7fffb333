import type { EventEnvelope } from '@shopstream/shared';

/** Events waiting to become a batch, with their estimated bytes. */
export interface OpenBatch {
  readonly events: EventEnvelope[];
  readonly bytes: number;
}

export interface BatchLimits {
  /** Cut at this many events. */
  readonly batchEventsMax: number;
  /** Cut before the estimated bytes would pass this. */
  readonly batchBytesMax: number;
}

/**
 * Accumulates events into the open batch and says when to cut it (by count or by bytes). Time
 * is the caller's business (it owns the timer), so this stays a plain synchronous structure.
 */
export class Batcher {
  private events: EventEnvelope[] = [];
  private openBytes = 0;

  constructor(private readonly limits: BatchLimits) {}

  get count(): number {
    return this.events.length;
  }

  get bytes(): number {
    return this.openBytes;
  }

  /** True when adding `bytes` would pass `batchBytesMax`: cut first (a lone oversize event still gets its own batch). */
  wouldOverflow(bytes: number): boolean {
    return this.events.length > 0 && this.openBytes + bytes > this.limits.batchBytesMax;
  }

  push(event: EventEnvelope, bytes: number): void {
    this.events.push(event);
    this.openBytes += bytes;
  }

  isFull(): boolean {
    return this.events.length >= this.limits.batchEventsMax || this.openBytes >= this.limits.batchBytesMax;
  }

  /** Takes the open batch, or undefined when empty. */
  cut(): OpenBatch | undefined {
    if (this.events.length === 0) return undefined;
    const batch = { events: this.events, bytes: this.openBytes };
    this.events = [];
    this.openBytes = 0;
    return batch;
  }
}
