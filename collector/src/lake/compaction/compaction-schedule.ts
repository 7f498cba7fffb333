/**
 * Compaction inside the collector: one run every `everyMs` (first run after one interval), never
 * two at once, stopped with the sink that owns it. A run that fails is logged once and retried at
 * the next tick; compaction is crash-safe, so a stop in the middle of a run is harmless.
 */
import type { Logger } from 'pino';
import { LogEvent } from '../../telemetry/events.js';
import { createDuckdbSession } from '../duckdb-session.js';
import type { LakeCatalog } from '../lake-catalog.js';
import { compactLake, type CompactOptions } from './compact-lake.js';
import type { CompactionStore } from './compaction-store.js';

export interface CompactionScheduleOptions extends Omit<CompactOptions, 'session' | 'catalog'> {
  readonly store: CompactionStore;
  readonly catalog: LakeCatalog;
  readonly everyMs: number;
  readonly log: Pick<Logger, 'info' | 'warn'>;
}

export interface CompactionSchedule {
  stop(): Promise<void>;
}

export function startCompactionSchedule(options: CompactionScheduleOptions): CompactionSchedule {
  const session = createDuckdbSession();
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = compactLake(options.store, { ...options, session })
      .then(
        (report) => {
          if (report.partitions > 0 || report.recovered > 0 || report.abandoned > 0) {
            options.log.info({ event: LogEvent.LakeCompacted, store: options.store.label, ...report }, `lake: compacted ${report.partitions} partitions of ${options.store.label} (${report.filesBefore} files → ${report.filesAfter})`);
          }
        },
        (error: unknown) => options.log.warn({ event: LogEvent.LakeCompactError, store: options.store.label, err: error }, `lake: compaction of ${options.store.label} failed, retried in ${options.everyMs} ms: ${(error as Error).message}`),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, options.everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await session.close();
    },
  };
}
