/**
 * Every log event and metric the collector emits, in one list, named `<Noun><Verb>[Error]`.
 * Log lines carry the event in `event`; metrics are `shopstream_<noun>_<verb>[_error]` plus a
 * unit suffix (`_total`, `_seconds`, `_bytes`, `_records`).
 */
export const LogEvent = {
  CollectorStarted: 'CollectorStarted',
  CollectorStopping: 'CollectorStopping',
  CollectorStopped: 'CollectorStopped',
  ConfigLoaded: 'ConfigLoaded',
  WalRecovered: 'WalRecovered',
  WalCorruptSkipped: 'WalCorruptSkipped',
  WalAppendError: 'WalAppendError',
  WalReleased: 'WalReleased',
  WalArchiveStarted: 'WalArchiveStarted',
  WalArchiveShipError: 'WalArchiveShipError',
  WalArchiveCursorError: 'WalArchiveCursorError',
  RequestHandled: 'RequestHandled',
  RequestError: 'RequestError',
  BatchRejected: 'BatchRejected',
  IngestThrottled: 'IngestThrottled',
  SchemasReloaded: 'SchemasReloaded',
  SchemasReloadError: 'SchemasReloadError',
  DedupeUnavailable: 'DedupeUnavailable',
  DedupeWarmed: 'DedupeWarmed',
  DedupeWarmError: 'DedupeWarmError',
  LakeTempSwept: 'LakeTempSwept',
  LakeCompacted: 'LakeCompacted',
  LakeCompactError: 'LakeCompactError',
  PiiKeysMissing: 'PiiKeysMissing',
  SinkStarted: 'SinkStarted',
  DeliveryWorkerStarted: 'DeliveryWorkerStarted',
  DeliveryWorkerExited: 'DeliveryWorkerExited',
  SinkWriteError: 'SinkWriteError',
  SinkBreakerChanged: 'SinkBreakerChanged',
  SinkDrained: 'SinkDrained',
  SinkLoopError: 'SinkLoopError',
  RecordDeadLettered: 'RecordDeadLettered',
  DeadLetterWriteError: 'DeadLetterWriteError',
  // AWS sinks (src/sinks/aws/report-batch.ts): at most one line per event per interval, with a count.
  KinesisPutThrottled: 'KinesisPutThrottled',
  KinesisPutFailed: 'KinesisPutFailed',
  KinesisCallError: 'KinesisCallError',
  FirehosePutThrottled: 'FirehosePutThrottled',
  FirehosePutFailed: 'FirehosePutFailed',
  FirehoseCallError: 'FirehoseCallError',
  S3CallError: 'S3CallError',
  // postgres sink (src/sinks/postgres/postgres-sink.ts): connection and partition upkeep.
  PostgresConnectError: 'PostgresConnectError',
  PostgresConnectionLost: 'PostgresConnectionLost',
  PostgresPartitionsChanged: 'PostgresPartitionsChanged',
  PostgresPartitionsError: 'PostgresPartitionsError',
} as const;
export type LogEventName = (typeof LogEvent)[keyof typeof LogEvent];

export const MetricName = {
  RequestReceived: 'shopstream_request_received_total',
  RequestAcked: 'shopstream_request_acked_seconds',
  BatchAccepted: 'shopstream_batch_accepted_total',
  EventAccepted: 'shopstream_event_accepted_total',
  BodyReceived: 'shopstream_body_received_bytes_total',
  BatchRejected: 'shopstream_batch_rejected_total',
  IngestThrottled: 'shopstream_ingest_throttled_total',
  /** Post-WAL decisions per event, by source, outcome (accepted/rejected/duplicate/possible_duplicate) and reason code. */
  EventProcessed: 'shopstream_event_processed_total',
  WalAppendError: 'shopstream_wal_append_error_total',
  WalFsync: 'shopstream_wal_fsync_seconds',
  WalDiskUsed: 'shopstream_wal_disk_used_bytes',
  WalQuota: 'shopstream_wal_quota_bytes',
  /** `wal.archive`: durable WAL bytes not in the archive yet. */
  WalArchiveLag: 'shopstream_wal_archive_lag_bytes',
  /** `wal.archive`: how long acknowledged bytes were only on the local disk, in the last round. */
  WalArchiveRecoveryPoint: 'shopstream_wal_archive_recovery_point_seconds',
  /** `wal.archive`: consecutive failed shipping rounds (0 when healthy). */
  WalArchiveFailures: 'shopstream_wal_archive_failures',
  SinkDelivered: 'shopstream_sink_delivered_records_total',
  SinkDeliveredBytes: 'shopstream_sink_delivered_bytes_total',
  SinkWriteError: 'shopstream_sink_write_error_total',
  RecordDeadLettered: 'shopstream_record_dead_lettered_total',
  /** Delivery worker threads started after the first one (each after a crash). */
  DeliveryWorkerRestarted: 'shopstream_delivery_worker_restarted_total',
  SinkLagRecords: 'shopstream_sink_lag_records',
  SinkLagBytes: 'shopstream_sink_lag_bytes',
  SinkLagAge: 'shopstream_sink_lag_age_seconds',
  SinkLoopErrors: 'shopstream_sink_loop_errors',
  SinkBreakerOpen: 'shopstream_sink_breaker_open',
  // AWS sinks' own counters (src/sinks/aws/sink-counters.ts), read at scrape time.
  SinkApiCalls: 'shopstream_sink_api_calls_total',
  SinkApiBytes: 'shopstream_sink_api_bytes_total',
  SinkEntriesThrottled: 'shopstream_sink_entries_throttled_total',
  SinkRecordsRetried: 'shopstream_sink_records_retried_total',
} as const;
export type MetricNameValue = (typeof MetricName)[keyof typeof MetricName];
