// The collector as a library: start one in-process (tests, embedding) with a checked config.
export { startCollector, type CollectorDeps, type RunningCollector, type CollectorStatus } from './app.js';
export { parseConfig, readConfig, type CollectorConfig, type SourceConfig, type RouteRule } from './config/config.js';
export { loadConfig, loadConfigWithSettings } from './config/load-config.js';
export { describeSettings, settingsObject, type Setting } from './config/config-settings.js';
export { ConfigError } from './config/config-reader.js';
export type { SinkType, SinkConfig, SinkDeps } from './sinks/sink-type.js';
export { sinkTypes } from './sinks/built-in-sink-types.js';
export type { IngestGate, IngestRequest, CheckedBatch } from './gates/ingest-gate.js';
export { createProcessor, type Stage, type StageOutcome, type BatchUnderWork, type ProcessOutcome } from './pipeline/processor.js';
export { buildChain, type ChainOptions, type ChainPurpose } from './pipeline/chain/build-chain.js';
export { encodeIngestRecord, decodeIngestRecord, type IngestRecord } from './pipeline/ingest-record.js';
export { CollectorError, isCollectorError, type CollectorErrorCode } from './errors.js';
export type { Sink, SinkRecord, SinkLimits, SinkOutcome } from './sinks/sink.js';
// The lake's tables from the schema catalog: what the CDK app (examples/aws) declares in Glue.
export { loadLakeCatalog, buildLakeCatalog, type LakeCatalog } from './lake/lake-catalog.js';
export { lakeTables, athenaTables, type LakeTable } from './lake/lake-views.js';
export { athenaType } from './lake/sql-types.js';
export type { Column, ColumnType, TableSchema } from './lake/table-schema.js';
