import { expect, it } from 'vitest';
import type { IngestCounts } from '../../pipeline/ingest-observer.js';
import { ObservedCallsRecorder, replayObserved } from '../observed-calls.js';

it('carries metric calls from the worker to the main thread: per-write calls in order, per-record counts summed per source', () => {
  const recorder = new ObservedCallsRecorder();
  recorder.delivered('lake', 10, 1000);
  recorder.writeFailed('s3', 'retryable');
  recorder.deadLettered('s3', 3, 'COLLECTOR_SINK_REJECTED');
  recorder.breakerChanged('s3', 'open');
  recorder.eventsProcessed('web', { accepted: 5, duplicates: 1, possibleDuplicates: 0, rejected: new Map([['COLLECTOR_SCHEMA_INVALID', 2]]) });
  recorder.eventsProcessed('web', { accepted: 7, duplicates: 0, possibleDuplicates: 1, rejected: new Map([['COLLECTOR_SCHEMA_INVALID', 1]]) });
  const observed = structuredClone(recorder.take()); // crosses postMessage

  const seen: unknown[] = [];
  replayObserved(observed, {
    delivered: (...args) => seen.push(['delivered', ...args]),
    writeFailed: (sink, status) => seen.push(['writeFailed', sink, status]),
    deadLettered: (...args) => seen.push(['deadLettered', ...args]),
    breakerChanged: (...args) => seen.push(['breakerChanged', ...args]),
    eventsProcessed: (source: string, counts: IngestCounts) => seen.push(['eventsProcessed', source, { ...counts, rejected: [...counts.rejected] }]),
  });
  expect(seen).toEqual([
    ['delivered', 'lake', 10, 1000],
    ['writeFailed', 's3', 'retryable'],
    ['deadLettered', 's3', 3, 'COLLECTOR_SINK_REJECTED'],
    ['breakerChanged', 's3', 'open'],
    ['eventsProcessed', 'web', { accepted: 12, duplicates: 1, possibleDuplicates: 1, rejected: [['COLLECTOR_SCHEMA_INVALID', 3]] }],
  ]);
  expect(recorder.take()).toEqual({ calls: [], processed: [], droppedCalls: 0 }); // taken once
});
