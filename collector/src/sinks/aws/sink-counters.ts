/**
 * Throughput and error counters every AWS sink keeps. Plain numbers that only grow, so the
 * telemetry exporter can read them at scrape time (`sink.counters`) without the sinks knowing
 * about prom-client.
 */
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

/** The counters of those sinks that keep them (the AWS sinks), read at scrape time. */
export function sinkCountersOf(sinks: readonly { readonly name: string; readonly counters?: unknown }[]): NamedSinkCounters[] {
  const out: NamedSinkCounters[] = [];
  for (const sink of sinks) {
    const counters = sink.counters as SinkCounters | undefined;
    if (counters !== undefined && typeof counters.calls === 'number') out.push({ sink: sink.name, counters });
  }
  return out;
}
