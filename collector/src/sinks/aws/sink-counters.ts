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
