/**
 * Metric hooks called in the delivery worker, carried to the main thread's prom-client registry
 * (one registry, one /metrics): the worker records calls, sends them with each report, and the
 * main thread replays them on `CollectorMetrics`. Per-record counts (`eventsProcessed`) are summed
 * per source between reports; per-write calls are kept in order, at most `CALLS_MAX` per report
 * (more in 100 ms would mean thousands of writes; the overflow is counted, never grows).
 */
import type { IngestCounts, IngestObserver } from '../pipeline/ingest-observer.js';
import type { BreakerState } from './circuit-breaker.js';
import type { DeliveryObserver } from './delivery-types.js';

const CALLS_MAX = 10_000;

export type ObservedCall =
  | readonly ['delivered', string, number, number]
  | readonly ['writeFailed', string, 'retryable' | 'partial' | 'failure']
  | readonly ['deadLettered', string, number, string]
  | readonly ['breakerChanged', string, BreakerState];

/** Structured-cloneable: crosses `postMessage`. */
export interface ObservedCalls {
  readonly calls: readonly ObservedCall[];
  readonly processed: readonly { source: string; accepted: number; duplicates: number; possibleDuplicates: number; rejected: [string, number][] }[];
  /** Calls past `CALLS_MAX` in one report, dropped. */
  readonly droppedCalls: number;
}

export class ObservedCallsRecorder implements DeliveryObserver, IngestObserver {
  private calls: ObservedCall[] = [];
  private droppedCalls = 0;
  private processed = new Map<string, { accepted: number; duplicates: number; possibleDuplicates: number; rejected: Map<string, number> }>();

  delivered(sink: string, records: number, bytes: number): void {
    this.push(['delivered', sink, records, bytes]);
  }

  writeFailed(sink: string, status: 'retryable' | 'partial' | 'failure'): void {
    this.push(['writeFailed', sink, status]);
  }

  deadLettered(sink: string, records: number, code: string): void {
    this.push(['deadLettered', sink, records, code]);
  }

  breakerChanged(sink: string, state: BreakerState): void {
    this.push(['breakerChanged', sink, state]);
  }

  eventsProcessed(source: string, counts: IngestCounts): void {
    let sum = this.processed.get(source);
    if (!sum) this.processed.set(source, (sum = { accepted: 0, duplicates: 0, possibleDuplicates: 0, rejected: new Map() }));
    sum.accepted += counts.accepted;
    sum.duplicates += counts.duplicates;
    sum.possibleDuplicates += counts.possibleDuplicates;
    for (const [code, n] of counts.rejected) sum.rejected.set(code, (sum.rejected.get(code) ?? 0) + n);
  }

  /** What was observed since the last call, and forgets it. */
  take(): ObservedCalls {
    const taken: ObservedCalls = {
      calls: this.calls,
      processed: [...this.processed].map(([source, sum]) => ({ source, accepted: sum.accepted, duplicates: sum.duplicates, possibleDuplicates: sum.possibleDuplicates, rejected: [...sum.rejected] })),
      droppedCalls: this.droppedCalls,
    };
    this.calls = [];
    this.processed = new Map();
    this.droppedCalls = 0;
    return taken;
  }

  private push(call: ObservedCall): void {
    if (this.calls.length < CALLS_MAX) this.calls.push(call);
    else this.droppedCalls += 1;
  }
}

/** Replays a worker's observations on the main thread's observer (`CollectorMetrics`). */
export function replayObserved(observed: ObservedCalls, target: DeliveryObserver & IngestObserver): void {
  for (const call of observed.calls) {
    switch (call[0]) {
      case 'delivered':
        target.delivered(call[1], call[2], call[3]);
        break;
      case 'writeFailed':
        target.writeFailed(call[1], call[2], undefined);
        break;
      case 'deadLettered':
        target.deadLettered(call[1], call[2], call[3]);
        break;
      case 'breakerChanged':
        target.breakerChanged(call[1], call[2]);
        break;
    }
  }
  for (const sum of observed.processed) target.eventsProcessed(sum.source, { accepted: sum.accepted, duplicates: sum.duplicates, possibleDuplicates: sum.possibleDuplicates, rejected: new Map(sum.rejected) });
}
