/**
 * All sink loops of one collector, plus what they share: WAL retention (a segment goes once
 * every sink's cursor passed it) and the figures backpressure and /v1/status read.
 */
import type { Logger } from 'pino';
import type { WriteAheadLog } from '../wal/wal.js';
import { LogEvent } from '../telemetry/events.js';
import { SinkLoop, type SinkLoopOptions, type SinkStatus } from './sink-loop.js';

export interface DeliveryOptions {
  readonly loops: readonly SinkLoopOptions[];
  readonly wal: Pick<WriteAheadLog, 'applyRetention'>;
  readonly log: Logger;
  /** How often retention runs. */
  readonly retentionIntervalMs: number;
}

export class Delivery {
  readonly loops: readonly SinkLoop[];
  private retentionTimer: NodeJS.Timeout | undefined;
  private retentionRunning = false;

  constructor(private readonly options: DeliveryOptions) {
    this.loops = options.loops.map((loop) => new SinkLoop(loop));
  }

  start(): void {
    for (const loop of this.loops) loop.start();
    this.retentionTimer = setInterval(() => void this.applyRetention(), this.options.retentionIntervalMs);
    this.retentionTimer.unref();
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
    clearInterval(this.retentionTimer);
    await Promise.all(this.loops.map((loop) => loop.stop()));
    await this.applyRetention();
  }

  private async applyRetention(): Promise<void> {
    if (this.retentionRunning) return;
    this.retentionRunning = true;
    try {
      const released = await this.options.wal.applyRetention();
      if (released.deletedSegments > 0) this.options.log.info({ event: LogEvent.WalReleased, ...released }, `released ${released.deletedSegments} WAL segments`);
    } catch (error) {
      this.options.log.warn({ event: LogEvent.WalReleased, err: error }, 'WAL retention failed; will retry');
    } finally {
      this.retentionRunning = false;
    }
  }
}
