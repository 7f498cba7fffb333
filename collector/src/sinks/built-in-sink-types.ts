/**
 * Every kind of sink the collector knows. Adding one is one line here: its `SinkType` reads its
 * `sinks[]` entry and builds it (see ./sink-type.ts).
 */
import type { SinkType } from './sink-type.js';
import { lakeSinkType } from './lake/lake-sink-type.js';
import { kinesisSinkType } from './aws/kinesis/kinesis-sink-type.js';
import { firehoseSinkType } from './aws/firehose/firehose-sink-type.js';
import { s3SinkType } from './aws/s3/s3-sink-type.js';
import { postgresSinkType } from './postgres/postgres-sink-type.js';

export const sinkTypes: readonly SinkType[] = [
  lakeSinkType,
  kinesisSinkType,
  firehoseSinkType,
  s3SinkType,
  postgresSinkType,
];
