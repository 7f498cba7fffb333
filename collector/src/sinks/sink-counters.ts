/**
 * Throughput and error counters a sink may declare (`Sink.counters`; the AWS sinks do). Plain numbers that only grow, so the
 * telemetry exporter can read them at scrape time (`sink.counters`) without the sinks knowing
 * about prom-client.
 */
import type { Sink } from './sink.js';

export interface SinkCounters {
  /** Sink records acknowledged by the service. */
  recordsWritten: number;
  /** Payload bytes acknowledged (after aggregation/encoding: what the service billed). */
  bytesWritten: number;
  /** API calls made (PutRecords, PutRecordBatch, S3 uploads). */
  calls: number;
  /** Sink records handed back to the engine for retry. */
  recordsRetried: number;
  /** Entries the service throttled (ProvisionedThroughputExceeded, ServiceUnavailable, SlowDown). */
  entriesThrottled: number;
  /** Whole calls that threw (network, 5xx, invalid request). */
  callErrors: number;
}

export function createSinkCounters(): SinkCounters {
  return { recordsWritten: 0, bytesWritten: 0, calls: 0, recordsRetried: 0, entriesThrottled: 0, callErrors: 0 };
}

/** A sink's counters under its name, for the metrics exporter. */
export interface NamedSinkCounters {
  readonly sink: string;
  readonly counters: Readonly<SinkCounters>;
}

/** The counters of those sinks that declare them, read at scrape time. */
export function sinkCountersOf(sinks: readonly Pick<Sink, 'name' | 'counters'>[]): NamedSinkCounters[] {
  const out: NamedSinkCounters[] = [];
  for (const sink of sinks) if (sink.counters) out.push({ sink: sink.name, counters: sink.counters });
  return out;
}
