/**
 * Every kind of sink the collector knows. Adding one is one line here: its `SinkType` reads its
 * `sinks[]` entry and builds it (see ../config/sink-type.ts).
 */
import type { SinkType } from '../config/sink-type.js';
import { lakeSinkType } from '../sinks/lake/lake-sink-type.js';
import { kinesisSinkType } from '../sinks/kinesis/kinesis-sink-type.js';
import { firehoseSinkType } from '../sinks/firehose/firehose-sink-type.js';
import { s3SinkType } from '../sinks/s3/s3-sink-type.js';
import { postgresSinkType } from '../sinks/postgres/postgres-sink-type.js';

export const sinkTypes: readonly SinkType[] = [
  lakeSinkType,
  kinesisSinkType,
  firehoseSinkType,
  s3SinkType,
  postgresSinkType,
];
