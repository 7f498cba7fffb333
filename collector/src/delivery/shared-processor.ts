/**
 * Sinks near the head of the WAL read the same records; processing each record once for all
 * of them (decode, validate, a dedupe round trip) instead of once per sink saves that work
 * N-1 times. A wrapper around any `Processor`, keyed by Lsn, holding at most `entriesMax`
 * results (oldest dropped first). Safe because processing is a pure function of the WAL record;
 * a failed (e.g. retryable) processing is not kept, so the next caller tries again.
 */
import type { Processor, ProcessOutcome } from '../pipeline/processor.js';
import type { Lsn } from '../wal/wal.js';

export function shareProcessed(processor: Processor, entriesMax: number): Processor {
  const results = new Map<Lsn, Promise<ProcessOutcome>>();
  return {
    process(record) {
      const known = results.get(record.lsn);
      if (known) return known;
      const result = processor.process(record);
      results.set(record.lsn, result);
      result.then((outcome) => outcome.status === 'retry' && results.delete(record.lsn), () => results.delete(record.lsn));
      if (results.size > entriesMax) results.delete(results.keys().next().value!);
      return result;
    },
  };
}
