/**
 * The compaction keys a lake-writing sink accepts (`lake` and `s3`), and the wrapper that runs the
 * schedule beside the sink and stops it with the sink:
 *   compactEveryMs (0 = off), compactClosedAfterMs (default 15 min), compactTargetBytes (default 256 MiB).
 */
import type { ConfigReader } from '../../config/config-reader.js';
import type { SinkDeps } from '../../sinks/sink-type.js';
import type { Sink } from '../../sinks/sink.js';
import type { LakeCatalog } from '../lake-catalog.js';
import type { CompactionStore } from './compaction-store.js';

const MIB = 1024 * 1024;

export interface CompactionConfig {
  readonly compactEveryMs: number;
  readonly compactClosedAfterMs: number;
  readonly compactTargetBytes: number;
}

export function readCompactionConfig(entry: ConfigReader, everyMsDefault: number): CompactionConfig {
  return {
    compactEveryMs: entry.int('compactEveryMs', everyMsDefault, { min: 0, max: 86_400_000, unit: 'ms' }),
    compactClosedAfterMs: entry.int('compactClosedAfterMs', 15 * 60_000, { min: 0, max: 7 * 86_400_000, unit: 'ms' }),
    compactTargetBytes: entry.int('compactTargetBytes', 256 * MIB, { min: MIB, max: 4096 * MIB, unit: 'bytes' }),
  };
}

/**
 * `sink` with compaction of `store` every `compactEveryMs` (none when 0), stopped by `sink.close`.
 * The schedule (and DuckDB with it) loads only when compaction is on.
 */
export async function withCompaction<S extends Sink>(sink: S, store: CompactionStore, catalog: LakeCatalog, config: Record<string, unknown>, deps: SinkDeps): Promise<S> {
  const everyMs = config.compactEveryMs as number;
  if (!(everyMs > 0)) return sink;
  const { startCompactionSchedule } = await import('./compaction-schedule.js');
  const schedule = startCompactionSchedule({
    store, catalog, everyMs, log: deps.log,
    closedAfterMs: config.compactClosedAfterMs as number, targetBytes: config.compactTargetBytes as number,
  });
  const close = sink.close?.bind(sink);
  return Object.assign(sink, {
    async close() {
      await schedule.stop();
      await close?.();
    },
  });
}
