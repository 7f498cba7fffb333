/**
 * All sink loops of one collector, plus what they share: WAL retention (a segment goes once
 * every sink's cursor passed it; only where the WAL's writer lives, see ./retention-timer.ts)
 * and the figures backpressure and /v1/status read.
 */
import type { Logger } from 'pino';
import type { WriteAheadLog } from '../wal/wal.js';
import { RetentionTimer } from './retention-timer.js';
import { SinkLoop, type SinkLoopOptions, type SinkStatus } from './sink-loop.js';

export interface DeliveryOptions {
  readonly loops: readonly SinkLoopOptions[];
  /** Absent in a delivery worker: there the writer's thread runs retention. */
  readonly retention?: { readonly wal: Pick<WriteAheadLog, 'applyRetention'>; readonly intervalMs: number };
  readonly log: Logger;
}

export class Delivery {
  readonly loops: readonly SinkLoop[];
  private readonly retention: RetentionTimer | undefined;

  constructor(options: DeliveryOptions) {
    this.loops = options.loops.map((loop) => new SinkLoop(loop));
    this.retention = options.retention && new RetentionTimer(options.retention.wal, options.retention.intervalMs, options.log);
  }

  start(): void {
    for (const loop of this.loops) loop.start();
    this.retention?.start();
  }

  status(): SinkStatus[] {
    return this.loops.map((loop) => loop.status());
  }

  /** WAL bytes per second the slowest sink delivers: what frees WAL space. */
  drainBytesPerSec(): number {
    const rates = this.status().map((s) => s.walBytesPerSec);
    return rates.length === 0 ? 0 : Math.min(...rates);
  }

  /** Delivers what the WAL holds, each sink up to `deadlineMs`; true when every sink caught up. */
  async drain(deadlineMs: number): Promise<boolean> {
    const results = await Promise.all(this.loops.map((loop) => loop.drain(deadlineMs)));
    await this.stop();
    return results.every(Boolean);
  }

  async stop(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()));
    await this.retention?.stop();
  }
}
