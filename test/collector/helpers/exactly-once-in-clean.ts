/**
 * The end of every crash test: wait until each acknowledged event is in the lake's `clean` zone,
 * stop the collector cleanly, then check each is there exactly once (the WAL may hold a resent
 * copy of a batch whose ack was lost in a kill; the deduper drops it) and that nothing is there
 * that no client sent.
 */
import { expect } from 'vitest';
import { readLake, waitFor, type CollectorProcess } from '../../support/collector-process.js';
import { occurrences, walRecordsPerEventId } from './wal-census.js';

export async function expectAckedExactlyOnceInClean(collector: CollectorProcess, acked: readonly string[]): Promise<void> {
  await waitFor(async () => {
    const seen = new Set((await readLake(collector.lakeDir, 'clean')).map((l) => l.value.id));
    return acked.every((id) => seen.has(id));
  }, 30_000, 'every acknowledged event in the lake');
  expect(await collector.stop('SIGTERM')).toBe(0);

  const inLake = occurrences(await readLake(collector.lakeDir, 'clean'));
  const inWal = await walRecordsPerEventId(collector.walDir);
  expect(new Set(inLake.keys())).toEqual(new Set(acked));
  expect([...inLake].filter(([, count]) => count !== 1)).toEqual([]);
  expect([...inLake.keys()].every((id) => inWal.has(id))).toBe(true);
}
