/**
 * Runs WAL retention every `intervalMs` (a segment goes once every sink's cursor passed it,
 * wal/README.md "Retention"), one run at a time. Lives with the WAL's writer: the thread that
 * creates segment files is the one that deletes them.
 */
import type { Logger } from 'pino';
import { LogEvent } from '../telemetry/events.js';
import type { WriteAheadLog } from '../wal/wal.js';

export class RetentionTimer {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly wal: Pick<WriteAheadLog, 'applyRetention'>,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.apply(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and runs retention once more (cursors may have moved during a drain). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.apply();
  }

  async apply(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const released = await this.wal.applyRetention();
      if (released.deletedSegments > 0) this.log.info({ event: LogEvent.WalReleased, ...released }, `released ${released.deletedSegments} WAL segments`);
    } catch (error) {
      this.log.warn({ event: LogEvent.WalReleased, err: error }, 'WAL retention failed; will retry');
    } finally {
      this.running = false;
    }
  }
}
