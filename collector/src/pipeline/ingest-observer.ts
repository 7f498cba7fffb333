/**
 * Counts what the ingest stages decided, per source and reason: accepted (clean), rejected
 * (failed, by code), duplicate, possible duplicate. Every sink loop processes each WAL record,
 * so counting is done once per record per process: a record counts when its Lsn passes the
 * highest one counted (loops and replays go in Lsn order), and is skipped when it does not.
 */
import { OK, type Stage } from './chain/stage.js';

export interface IngestObserver {
  eventsProcessed(source: string, counts: IngestCounts): void;
}

export interface IngestCounts {
  readonly accepted: number;
  readonly duplicates: number;
  readonly possibleDuplicates: number;
  /** Refused events by error code (`COLLECTOR_SCHEMA_INVALID`, …). Whole-batch failures are counted by the processor's audit record. */
  readonly rejected: ReadonlyMap<string, number>;
}

export function observeStage(observer: IngestObserver): Stage {
  let countedLsn = -1;
  return {
    name: 'observe',
    run(batch) {
      if (batch.lsn <= countedLsn) return OK;
      countedLsn = batch.lsn;
      const rejected = new Map<string, number>();
      for (const { code } of batch.rejected) rejected.set(code, (rejected.get(code) ?? 0) + 1);
      const possibleDuplicates = batch.events.filter((event) => (event as { possibleDuplicate?: boolean }).possibleDuplicate === true).length;
      observer.eventsProcessed(batch.ingest.source, { accepted: batch.events.length, duplicates: batch.duplicates, possibleDuplicates, rejected });
      return OK;
    },
  };
}
