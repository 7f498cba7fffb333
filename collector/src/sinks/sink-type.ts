/**
 * How a kind of sink plugs into the collector: it reads its own `sinks[]` entry and builds the
 * sink. Adding a kind (kinesis, firehose, s3) is one entry in `./built-in-sink-types.ts`.
 */
import type { Logger } from 'pino';
import type { LakeZone } from '@shopstream/shared';
import type { Sink, SinkLimits } from './sink.js';
import type { ConfigReader } from '../config/config-reader.js';

/** Every `sinks[]` entry has a `type` and a unique `name` (the cursor and metric label). */
export type SinkEntry = {
  readonly type: string;
  readonly name: string;
  /** Overrides of the kind's batching limits. */
  readonly limits: SinkLimits;
};

/**
 * One `sinks[]` entry as its kind's `parse` validated it: the common keys plus the kind's own,
 * typed (`SinkConfig<S3SinkOptions>`), so `create` reads them without casts. Generic code
 * (routing, cursors, metrics) sees `SinkConfig` and only the common keys are known to it.
 */
export type SinkConfig<Options extends Record<string, unknown> = Record<string, unknown>> = SinkEntry & Readonly<Options>;

/** What the rest of the config offers a sink while it is read (e.g. the lake directory). */
export interface SinkConfigContext {
  readonly lakeDir: string;
}

export interface SinkDeps {
  readonly log: Logger;
  /**
   * This collector's stable id (kept in `<wal.dir>/node-id`, or `ingest.nodeId`): sinks whose
   * names come from WAL positions (S3 keys) put it in the name, so a fleet sharing a bucket
   * does not collide.
   */
  readonly nodeId?: string;
}

/**
 * A kind of sink as a plugin (Vector's `#[configurable_component]` sinks): its typed, validated
 * options, its defaults, and how it is built. Declare one with `defineSinkType` so the options
 * type is inferred from `parse` and `create` gets it.
 */
export interface SinkType<Options extends Record<string, unknown> = Record<string, unknown>> {
  readonly type: string;
  /** Zones a sink of this kind receives when no routing rule names it. */
  readonly defaultZones: readonly LakeZone[];
  readonly defaultLimits: SinkLimits;
  /** Reads and validates the kind's own keys of one entry (`type`, `name`, `limits` are read already); throws ConfigError naming the key. */
  parse(entry: ConfigReader, context: SinkConfigContext): Options;
  create(config: SinkConfig<Options>, deps: SinkDeps): Sink | Promise<Sink>;
}

export function defineSinkType<Options extends Record<string, unknown>>(kind: SinkType<Options>): SinkType<Options> {
  return kind;
}

export function readSinkLimits(entry: ConfigReader, defaults: SinkLimits): SinkLimits {
  const limits = entry.section('limits');
  const result: SinkLimits = {
    recordsMax: limits.int('recordsMax', defaults.recordsMax, { min: 1, max: 1_000_000, unit: 'records' }),
    bytesMax: limits.int('bytesMax', defaults.bytesMax, { min: 1024, max: 1 << 30, unit: 'bytes' }),
    recordBytesMax: limits.int('recordBytesMax', defaults.recordBytesMax, { min: 256, max: 1 << 30, unit: 'bytes' }),
    lingerMs: limits.int('lingerMs', defaults.lingerMs, { min: 0, max: 3_600_000, unit: 'ms' }),
  };
  limits.done();
  return result;
}
