/**
 * Prometheus metrics (prom-client, one registry per collector so tests and embedders can run
 * several). Counters are bumped once per request or per sink write, never per event; gauges
 * (WAL use, sink lag, breaker) are read from their owners when scraped.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BreakerState } from '../delivery/circuit-breaker.js';
import type { DeliveryObserver, SinkStatus } from '../delivery/sink-loop.js';
import { MetricName } from './events.js';
import type { IngestCounts, IngestObserver } from '../pipeline/ingest-observer.js';
import type { NamedSinkCounters } from '../sinks/sink-counters.js';
import type { ArchiveStatus } from '../wal/archive/wal-shipper.js';

export interface GaugeSources {
  walBytesOnDisk(): number;
  readonly walQuotaBytes: number;
  sinks(): readonly SinkStatus[];
  /** Counters kept by the sinks themselves (AWS sinks: API calls, bytes, throttling, retries). */
  sinkCounters?(): readonly NamedSinkCounters[];
  /** The WAL archive's figures when `wal.archive` is on. */
  walArchive?(): ArchiveStatus | undefined;
}

export class CollectorMetrics implements DeliveryObserver, IngestObserver {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: MetricName.RequestReceived, help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [this.registry] });
  private readonly ackSeconds = new Histogram({ name: MetricName.RequestAcked, help: 'Time from request start to the WAL-durable 200', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry] });
  private readonly batches = new Counter({ name: MetricName.BatchAccepted, help: 'Batches acknowledged (one WAL record each)', labelNames: ['source', 'kind'], registers: [this.registry] });
  private readonly events = new Counter({ name: MetricName.EventAccepted, help: 'Events in acknowledged batches (as the frame header or JSON array says)', labelNames: ['source'], registers: [this.registry] });
  private readonly bodyBytes = new Counter({ name: MetricName.BodyReceived, help: 'Body bytes of acknowledged batches as received', registers: [this.registry] });
  private readonly rejected = new Counter({ name: MetricName.BatchRejected, help: 'Batches refused, by error code', labelNames: ['code', 'status'], registers: [this.registry] });
  private readonly fsyncSeconds = new Histogram({ name: MetricName.WalFsync, help: 'WAL group commit fdatasync latency', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5], registers: [this.registry] });
  private readonly deliveredRecords = new Counter({ name: MetricName.SinkDelivered, help: 'Records a sink made durable', labelNames: ['sink'], registers: [this.registry] });
  private readonly deliveredBytesTotal = new Counter({ name: MetricName.SinkDeliveredBytes, help: 'JSON bytes of records a sink made durable', labelNames: ['sink'], registers: [this.registry] });
  private readonly writeErrors = new Counter({ name: MetricName.SinkWriteError, help: 'Sink writes that did not fully succeed', labelNames: ['sink', 'status'], registers: [this.registry] });
  private readonly processed = new Counter({ name: MetricName.EventProcessed, help: 'Events decided after the WAL, once per WAL record, by source, outcome and reason code', labelNames: ['source', 'outcome', 'reason'], registers: [this.registry] });
  private readonly throttled = new Counter({ name: MetricName.IngestThrottled, help: 'Requests refused by a per-source rate limit (429)', labelNames: ['source', 'limit'], registers: [this.registry] });
  private readonly workerRestarts = new Counter({ name: MetricName.DeliveryWorkerRestarted, help: 'Delivery worker threads restarted after one exited', registers: [this.registry] });
  private readonly deadLetters = new Counter({ name: MetricName.RecordDeadLettered, help: 'Records sent to the failed zone instead of their sink', labelNames: ['sink', 'code'], registers: [this.registry] });

  /** Labelled children looked up once: prom-client hashes the label object on every `inc` otherwise. */
  private readonly requestChildren = new Map<string, Counter.Internal>();
  private readonly acceptedChildren = new Map<string, { batches: Counter.Internal; events: Counter.Internal }>();

  constructor(sources: GaugeSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'shopstream_' });
    new Gauge({ name: MetricName.WalDiskUsed, help: 'Bytes the WAL uses on disk', registers: [this.registry], collect() { this.set(sources.walBytesOnDisk()); } });
    new Gauge({ name: MetricName.WalQuota, help: 'WAL disk quota', registers: [this.registry], collect() { this.set(sources.walQuotaBytes); } });
    const archived = (name: string, help: string, pick: (s: ArchiveStatus) => number) =>
      new Gauge({ name, help, registers: [this.registry], collect() { const status = sources.walArchive?.(); if (status) this.set(pick(status)); } });
    archived(MetricName.WalArchiveLag, 'Durable WAL bytes not in the S3 archive yet', (s) => s.lagBytes);
    archived(MetricName.WalArchiveRecoveryPoint, 'Longest an acknowledged byte was only on the local disk, last shipping round', (s) => s.recoveryPointMs / 1000);
    archived(MetricName.WalArchiveFailures, 'Consecutive failed WAL archive rounds', (s) => s.failures);
    const perSink = (name: string, help: string, pick: (s: SinkStatus) => number) =>
      new Gauge({ name, help, labelNames: ['sink'], registers: [this.registry], collect() { for (const s of sources.sinks()) this.set({ sink: s.sink }, pick(s)); } });
    perSink(MetricName.SinkLagRecords, 'WAL records not yet delivered to the sink', (s) => s.lagRecords);
    perSink(MetricName.SinkLagBytes, 'WAL bytes not yet delivered to the sink', (s) => s.lagBytes);
    perSink(MetricName.SinkLagAge, 'Age of the oldest record not yet delivered to the sink', (s) => s.lagAgeMs / 1000);
    perSink(MetricName.SinkLoopErrors, 'Times the sink loop failed and started over since start (a growing value with flat deliveries is a stall)', (s) => s.loopErrors);
    perSink(MetricName.SinkBreakerOpen, '1 while the sink circuit breaker is open or probing', (s) => (s.breaker === 'closed' ? 0 : 1));
    // Sinks count in plain numbers; at scrape time each counter advances by what changed since the last scrape.
    const fromSinks = (name: string, help: string, pick: (c: NamedSinkCounters['counters']) => number) => {
      const seen = new Map<string, number>();
      new Counter({ name, help, labelNames: ['sink'], registers: [this.registry], collect() {
        for (const { sink, counters } of sources.sinkCounters?.() ?? []) {
          const delta = pick(counters) - (seen.get(sink) ?? 0);
          if (delta >= 0) this.inc({ sink }, delta); // also at 0: the series exists from the first scrape
          seen.set(sink, pick(counters));
        }
      } });
    };
    fromSinks(MetricName.SinkApiCalls, 'API calls a sink made (PutRecords, PutRecordBatch, S3 uploads)', (c) => c.calls);
    fromSinks(MetricName.SinkApiBytes, 'Bytes a service acknowledged, after aggregation and compression', (c) => c.bytesWritten);
    fromSinks(MetricName.SinkEntriesThrottled, 'Entries a service throttled (ProvisionedThroughputExceeded, ServiceUnavailable)', (c) => c.entriesThrottled);
    fromSinks(MetricName.SinkRecordsRetried, 'Records a sink handed back for retry', (c) => c.recordsRetried);
  }

  requestDone(route: string, status: number): void {
    const key = `${route} ${status}`;
    let child = this.requestChildren.get(key);
    if (!child) {
      // Routes are the fixed list server.ts passes (anything else is "other"), statuses a few dozen: bounded.
      child = this.requests.labels({ route, status: String(status) });
      this.requestChildren.set(key, child);
    }
    child.inc();
  }

  batchAccepted(source: string, kind: string, eventCount: number, bodyBytes: number, ackSeconds: number): void {
    const key = `${source} ${kind}`;
    let children = this.acceptedChildren.get(key);
    if (!children) {
      // Sources come from the config, kinds are two: bounded.
      children = { batches: this.batches.labels({ source, kind }), events: this.events.labels({ source }) };
      this.acceptedChildren.set(key, children);
    }
    children.batches.inc();
    children.events.inc(eventCount);
    this.bodyBytes.inc(bodyBytes);
    this.ackSeconds.observe(ackSeconds);
  }

  batchRejected(code: string, status: number): void {
    this.rejected.inc({ code, status: String(status) });
  }

  // IngestObserver: one call per WAL record, never per event.
  eventsProcessed(source: string, counts: IngestCounts): void {
    const accepted = counts.accepted - counts.possibleDuplicates;
    if (accepted > 0) this.processed.inc({ source, outcome: 'accepted', reason: '' }, accepted);
    if (counts.possibleDuplicates > 0) this.processed.inc({ source, outcome: 'possible_duplicate', reason: 'COLLECTOR_DEDUPE_UNAVAILABLE' }, counts.possibleDuplicates);
    if (counts.duplicates > 0) this.processed.inc({ source, outcome: 'duplicate', reason: '' }, counts.duplicates);
    for (const [reason, n] of counts.rejected) this.processed.inc({ source, outcome: 'rejected', reason }, n);
  }

  ingestThrottled(source: string, limit: 'requests' | 'events'): void {
    this.throttled.inc({ source, limit });
  }

  walFsynced(latencyMs: number): void {
    this.fsyncSeconds.observe(latencyMs / 1000);
  }

  // DeliveryObserver
  delivered(sink: string, records: number, bytes: number): void {
    this.deliveredRecords.inc({ sink }, records);
    this.deliveredBytesTotal.inc({ sink }, bytes);
  }

  writeFailed(sink: string, status: 'retryable' | 'partial' | 'failure'): void {
    this.writeErrors.inc({ sink, status });
  }

  deadLettered(sink: string, records: number, code: string): void {
    this.deadLetters.inc({ sink, code }, records);
  }

  deliveryWorkerRestarted(): void {
    this.workerRestarts.inc();
  }

  breakerChanged(_sink: string, _state: BreakerState): void {
    // The breaker gauge reads the state at scrape time; nothing to count here.
  }
}
