/**
 * (Over 300 lines on purpose: one reading of the whole config, section by section, so every key's
 * default and bound sit in one place; each sink kind reads its own keys in its folder.)
 *
 * The collector's configuration: its shape, its defaults and the one function that checks a
 * raw object (file overlaid by env, see ./load-config.ts) against them. Every limit carries its
 * unit in its name. With no config at all the collector listens on 127.0.0.1:8787, writes the
 * WAL to ./data/wal and the lake to ./data/lake, and accepts one source `dev` with key `dev-key`.
 */
import type { LakeZone } from '@shopstream/shared';
import { ConfigError, ConfigReader } from './config-reader.js';
import { ENV_PREFIX, EnvSource } from './config-env.js';
import { SettingsTrace, type Setting } from './config-settings.js';
import { readSinkLimits, type SinkConfig, type SinkType } from '../sinks/sink-type.js';
import { parseIngestConfig, type IngestConfig } from '../pipeline/ingest-config.js';
import { RECORD_HEADER_BYTES } from '../wal/record-format.js';
import { parseWalArchive, type WalArchiveConfig } from '../wal/archive/archive-config.js';

export interface SourceConfig {
  readonly id: string;
  readonly writeKey: string;
  /** HMAC secret for signed requests, the one-secret form (a secret without an id in `secrets`). */
  readonly secret?: string;
  /**
   * Every HMAC secret the source accepts: `secret` (no id) and `secrets` (with ids) together. A
   * request is signed when this is non-empty; several let a secret rotate with an overlap
   * (gates/signature/request-signature.ts).
   */
  readonly secrets?: readonly SourceSecret[];
}

/** One HMAC secret of a source; senders name it by `id` in the signature header (`kid=<id>`). */
export interface SourceSecret {
  readonly id?: string;
  readonly secret: string;
}

/** Secrets per source: each valid request costs at most this many HMACs when it names no key id. */
export const SOURCE_SECRETS_MAX = 4;

export interface LimitsConfig {
  /** Request body as received (compressed), checked while streaming: 413 past it. */
  readonly bodyBytesMax: number;
  /** Body after `Content-Encoding: gzip` and frame payload after decompression. */
  readonly decodedBytesMax: number;
  readonly eventsPerBatchMax: number;
  /** Objects and arrays nested in one event; deeper events go to the failed zone alone. */
  readonly eventDepthMax: number;
  /**
   * Decoded bytes (gunzipped bodies, parsed JSON, frames opened for synchronous validation) held
   * at once on each thread: past it the HTTP thread answers 503 + Retry-After and the delivery
   * thread waits, so a flood of compression bombs cannot grow memory without bound.
   */
  readonly decodedBytesInFlightMax: number;
  /** Whole request, headers to last body byte. */
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
}

export type FsyncMode = 'always' | 'interval';

export interface WalConfig {
  readonly dir: string;
  readonly segmentBytesMax: number;
  /** `always`: an ack waits for fdatasync (group-committed). `interval`: fdatasync every `fsyncIntervalMs`. */
  readonly fsync: FsyncMode;
  readonly fsyncIntervalMs: number;
  /** `always`: group fdatasyncs that may overlap (the next group is written during a flush); 1 (default) = one at a time. */
  readonly syncsInFlightMax: number;
  /** Disk the WAL may use; past it new batches get 503 and nothing acknowledged is dropped. */
  readonly quotaBytes: number;
  /**
   * Delivered segments are kept this long for replays and the in-memory deduper's restart, unless
   * the quota needs the space (past half of it they go early). Default: `ingest.dedupe.windowMs`
   * with the memory store, else 0.
   */
  readonly retainMs: number;
  /** Ships the log to S3 (wal/README.md "Archive"); off when absent. */
  readonly archive?: WalArchiveConfig;
  /** `local`: ack after fsync. `replicated`: after fsync and once the archive holds the records. */
  readonly ack: 'local' | 'replicated';
}

export interface DeliveryConfig {
  /** Tries of one batch while the sink is healthy; then its records are dead-lettered. */
  readonly retriesMax: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Consecutive failed writes that open a sink's breaker; while open, records wait instead of being tried. */
  readonly breakerFailuresMax: number;
  readonly breakerOpenMs: number;
  /** A sink whose oldest undelivered record is older than this makes ingest answer 503. */
  readonly lagAgeMaxMs: number;
  /** How long a graceful shutdown waits for sinks to drain. */
  readonly drainDeadlineMs: number;
  /** WAL records read per read call. */
  readonly readRecordsMax: number;
  /** One `Sink.write` call. */
  readonly writeTimeoutMs: number;
  /**
   * Where delivery (WAL reader, post-WAL chain, sinks, cursors) runs: `worker` (default) in a
   * worker thread, so acknowledgements keep the main thread's core; `main` on the HTTP thread.
   * In-process seams (`CollectorDeps.sinkTypes`, `stages`, `ingest`, `walFs`) imply `main`.
   */
  readonly thread: 'worker' | 'main';
  /**
   * Niceness (0-19) of the delivery worker thread on Linux, default 10: under CPU contention
   * acknowledgements go first and delivery takes what is left; lag stays bounded by the WAL
   * quota and `lagAgeMaxMs` (503). 0 keeps the process's priority.
   */
  readonly workerNice: number;
  /**
   * Where dead letters go: absent, the `failed` zone of the local `lake.dir`; or the name of an
   * `s3` (or `lake`) sink, whose `failed` zone then holds them (object names
   * `<nodeId>.dlq-<sink>-…`), so a fleet without a persistent lake disk keeps them in S3.
   */
  readonly deadLetterSink?: string;
}

/** Sends records of the listed zones (and event types, when listed) to `sink`. */
export interface RouteRule {
  readonly sink: string;
  readonly zones: readonly LakeZone[];
  /** Event names (`Order Completed`); empty means every type. */
  readonly eventTypes: readonly string[];
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface CollectorConfig {
  readonly listen: { readonly host: string; readonly port: number };
  readonly sources: readonly SourceConfig[];
  readonly limits: LimitsConfig;
  readonly wal: WalConfig;
  readonly lake: { readonly dir: string };
  readonly delivery: DeliveryConfig;
  readonly sinks: readonly SinkConfig[];
  readonly routing: readonly RouteRule[];
  readonly cors: { readonly origins: readonly string[] };
  readonly log: { readonly level: LogLevel };
  /** Ingest stages: signatures, rate limits, schemas, dedupe, decryption, PII (../pipeline/ingest-config.ts). */
  readonly ingest: IngestConfig;
}

export const LAKE_ZONES: readonly LakeZone[] = ['raw', 'clean', 'failed', 'audit'];
const MiB = 1024 * 1024;

/** Checks `raw` (the file's object) with `env` overlaid; see `readConfig`. */
export function parseConfig(raw: unknown, sinkTypes: readonly SinkType[], env?: Readonly<Record<string, string | undefined>>): CollectorConfig {
  return readConfig(raw, sinkTypes, env).config;
}

/**
 * The checked config and every setting it resolved (secrets masked, origin noted). Each key may
 * be set by the variable named after its path (./config-env.ts); `PORT` stands in for
 * `SHOPSTREAM_LISTEN_PORT`. A `SHOPSTREAM_*` variable no key reads is refused.
 */
export function readConfig(raw: unknown, sinkTypes: readonly SinkType[], env?: Readonly<Record<string, string | undefined>>): { config: CollectorConfig; settings: Setting[] } {
  const source = new EnvSource(env ?? {}, { [`${ENV_PREFIX}_LISTEN_PORT`]: 'PORT' });
  const trace = new SettingsTrace();
  const config = parseWith(ConfigReader.of(raw, '', { env: source, trace }, ENV_PREFIX), sinkTypes, env);
  source.markUsed(`${ENV_PREFIX}_CONFIG`);
  source.refuseUnknown();
  return { config, settings: trace.all() };
}

function parseWith(root: ConfigReader, sinkTypes: readonly SinkType[], env: Readonly<Record<string, string | undefined>> | undefined): CollectorConfig {

  const listenIn = root.section('listen');
  const listen = { host: listenIn.str('host', '127.0.0.1'), port: listenIn.int('port', 8787, { min: 0, max: 65535 }) };
  listenIn.done();

  const sources = root.list('sources', [{ id: 'dev', writeKey: 'dev-key' }], { by: 'id' }).map((entry) => {
    const secret = entry.raw('secret') === undefined ? undefined : entry.str('secret');
    const secrets: SourceSecret[] = [
      ...(secret === undefined ? [] : [{ secret }]),
      ...(entry.raw('secrets') === undefined ? [] : entry.list('secrets', [], { by: 'id' })).map((item) => {
        const keyed = {
          id: item.str('id', undefined, { re: /^[A-Za-z0-9._-]{1,64}$/, says: '1 to 64 letters, digits, ., _ or -' }),
          secret: item.str('secret'), // no pattern: a refused value would be echoed in the error
        };
        item.done();
        return keyed;
      }),
    ];
    const source: SourceConfig = {
      id: entry.str('id', undefined, { re: /^[a-z0-9][a-z0-9_-]{0,62}$/, says: 'lower-case letters, digits, - or _ (at most 63)' }),
      writeKey: entry.str('writeKey', undefined, { re: /^[\x21-\x7e]{6,200}$/, says: '6 to 200 printable characters without spaces' }),
      ...(secret === undefined ? {} : { secret }),
      ...(secrets.length === 0 ? {} : { secrets }),
    };
    entry.done();
    if (secrets.length > SOURCE_SECRETS_MAX) throw new ConfigError(`sources[${source.id}].secrets`, `holds at most ${SOURCE_SECRETS_MAX} secrets (with secret): remove the retired ones`, secrets.length);
    requireUnique(secrets.flatMap((s) => (s.id === undefined ? [] : [s.id])), `sources[${source.id}].secrets[].id`);
    return source;
  });
  if (sources.length === 0) throw new ConfigError('sources', 'must list at least one source', []);
  requireUnique(sources.map((s) => s.id), 'sources[].id');
  requireUnique(sources.map((s) => s.writeKey), 'sources[].writeKey');

  const limitsIn = root.section('limits');
  const limits: LimitsConfig = {
    bodyBytesMax: limitsIn.int('bodyBytesMax', 1 * MiB, { min: 1024, max: 256 * MiB, unit: 'bytes' }),
    decodedBytesMax: limitsIn.int('decodedBytesMax', 8 * MiB, { min: 1024, max: 1024 * MiB, unit: 'bytes' }),
    eventsPerBatchMax: limitsIn.int('eventsPerBatchMax', 2000, { min: 1, max: 100_000, unit: 'events' }),
    eventDepthMax: limitsIn.int('eventDepthMax', 32, { min: 2, max: 1000, unit: 'levels' }),
    decodedBytesInFlightMax: limitsIn.int('decodedBytesInFlightMax', 64 * MiB, { min: 1024, max: 16 * 1024 * MiB, unit: 'bytes' }),
    requestTimeoutMs: limitsIn.int('requestTimeoutMs', 30_000, { min: 100, max: 600_000, unit: 'ms' }),
    keepAliveTimeoutMs: limitsIn.int('keepAliveTimeoutMs', 65_000, { min: 100, max: 600_000, unit: 'ms' }),
  };
  limitsIn.done();

  const walIn = root.section('wal');
  const wal: WalConfig = {
    dir: walIn.str('dir', './data/wal'),
    segmentBytesMax: walIn.int('segmentBytesMax', 64 * MiB, { min: 4096, max: 1024 * MiB, unit: 'bytes' }),
    fsync: walIn.oneOf<FsyncMode>('fsync', 'always', ['always', 'interval']),
    fsyncIntervalMs: walIn.int('fsyncIntervalMs', 100, { min: 1, max: 60_000, unit: 'ms' }),
    syncsInFlightMax: walIn.int('syncsInFlightMax', 1, { min: 1, max: 16, unit: 'fdatasyncs' }),
    quotaBytes: walIn.int('quotaBytes', 4096 * MiB, { min: 16 * 1024, unit: 'bytes' }),
    retainMs: walIn.int('retainMs', 0, { min: 0, unit: 'ms' }),
    ...parseWalArchive(walIn),
  };
  const retainMsGiven = walIn.raw('retainMs') !== undefined;
  walIn.done();
  if (wal.quotaBytes < 2 * wal.segmentBytesMax) {
    throw new ConfigError('wal.quotaBytes', `must be at least twice wal.segmentBytesMax (${2 * wal.segmentBytesMax} bytes) so a full segment can be released`, wal.quotaBytes);
  }
  const recordBytesMax = walRecordBytesMax(limits);
  if (recordBytesMax + RECORD_HEADER_BYTES > wal.segmentBytesMax) {
    throw new ConfigError(
      'wal.segmentBytesMax',
      `must hold one WAL record of the largest body accepted (max(limits.bodyBytesMax, limits.decodedBytesMax) + ${INGEST_RECORD_OVERHEAD_BYTES} + ${RECORD_HEADER_BYTES} = ${recordBytesMax + RECORD_HEADER_BYTES} bytes); raise it or lower those limits`,
      wal.segmentBytesMax,
    );
  }

  const lakeIn = root.section('lake');
  const lake = { dir: lakeIn.str('dir', './data/lake') };
  lakeIn.done();

  const deliveryIn = root.section('delivery');
  const delivery: DeliveryConfig = {
    retriesMax: deliveryIn.int('retriesMax', 10, { min: 1, max: 1000, unit: 'tries' }),
    backoffBaseMs: deliveryIn.int('backoffBaseMs', 100, { min: 1, max: 60_000, unit: 'ms' }),
    backoffMaxMs: deliveryIn.int('backoffMaxMs', 30_000, { min: 1, max: 3_600_000, unit: 'ms' }),
    breakerFailuresMax: deliveryIn.int('breakerFailuresMax', 5, { min: 1, max: 1000, unit: 'failures' }),
    breakerOpenMs: deliveryIn.int('breakerOpenMs', 5_000, { min: 10, max: 3_600_000, unit: 'ms' }),
    lagAgeMaxMs: deliveryIn.int('lagAgeMaxMs', 600_000, { min: 100, unit: 'ms' }),
    drainDeadlineMs: deliveryIn.int('drainDeadlineMs', 10_000, { min: 0, max: 600_000, unit: 'ms' }),
    readRecordsMax: deliveryIn.int('readRecordsMax', 256, { min: 1, max: 100_000, unit: 'records' }),
    writeTimeoutMs: deliveryIn.int('writeTimeoutMs', 30_000, { min: 100, max: 600_000, unit: 'ms' }),
    thread: deliveryIn.oneOf<'worker' | 'main'>('thread', 'worker', ['worker', 'main']),
    workerNice: deliveryIn.int('workerNice', 10, { min: 0, max: 19, unit: 'niceness' }),
    ...(deliveryIn.raw('deadLetterSink') === undefined ? {} : { deadLetterSink: deliveryIn.str('deadLetterSink') }),
  };
  deliveryIn.done();

  const typesByName = new Map(sinkTypes.map((t) => [t.type, t]));
  const sinks = root.list('sinks', [{ type: 'lake', name: 'lake' }], { by: 'name', fallbackBy: 'type', fixed: ['type'] }).map((entry): SinkConfig => {
    const type = entry.str('type');
    const kind = typesByName.get(type);
    if (!kind) throw new ConfigError(entry.key('type'), `must be one of ${[...typesByName.keys()].map((t) => `"${t}"`).join(', ')}`, type);
    const name = entry.str('name', type, { re: /^[a-z0-9][a-z0-9_-]{0,62}$/, says: 'lower-case letters, digits, - or _ (at most 63)' });
    const limitsOfSink = readSinkLimits(entry, kind.defaultLimits);
    const own = kind.parse(entry, { lakeDir: lake.dir });
    entry.done();
    return { ...own, type, name, limits: limitsOfSink };
  });
  requireUnique(sinks.map((s) => s.name), 'sinks[].name');
  const deadLetterTargets = sinks.filter((s) => s.type === 's3' || s.type === 'lake').map((s) => s.name);
  if (delivery.deadLetterSink !== undefined && !deadLetterTargets.includes(delivery.deadLetterSink)) {
    throw new ConfigError('delivery.deadLetterSink', `must name a configured s3 or lake sink (${deadLetterTargets.join(', ') || 'none configured'})`, delivery.deadLetterSink);
  }

  const sinkNames = new Set(sinks.map((s) => s.name));
  const routing = root.list('routing', []).map((entry): RouteRule => {
    const rule: RouteRule = {
      sink: entry.str('sink'),
      zones: entry.strList('zones', LAKE_ZONES, LAKE_ZONES) as LakeZone[],
      eventTypes: entry.strList('eventTypes', []),
    };
    if (!sinkNames.has(rule.sink)) throw new ConfigError(entry.key('sink'), `must name a configured sink (${[...sinkNames].join(', ')})`, rule.sink);
    entry.done();
    return rule;
  });

  const corsIn = root.section('cors');
  const cors = { origins: corsIn.strList('origins', ['*']) };
  corsIn.done();

  const logIn = root.section('log');
  const log = { level: logIn.oneOf<LogLevel>('level', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) };
  logIn.done();

  const ingest = parseIngestConfig(root.section('ingest'), sources.map((s) => s.id), env);
  // The in-memory deduper rebuilds its window from the segments on disk after a restart, so by
  // default delivered segments stay for that window (within half the quota, see app.ts).
  const walWithRetention = retainMsGiven ? wal : { ...wal, retainMs: ingest.dedupe.store === 'memory' ? ingest.dedupe.windowMs : 0 };

  root.done();
  return { listen, sources, limits, wal: walWithRetention, lake, delivery, sinks, routing, cors, log, ingest };
}

function requireUnique(values: readonly string[], key: string): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw new ConfigError(key, 'must be unique', value);
    seen.add(value);
  }
}

/**
 * Bytes of an ingest record's fields besides the body (msgpack keys, source id ≤ 63, request id,
 * receive time, the body's length prefix, a Segment call's wrapper): 4 KiB is far above them.
 */
export const INGEST_RECORD_OVERHEAD_BYTES = 4096;

/**
 * The WAL's `recordBytesMax` for these limits: one record holds one request body as received,
 * after any `Content-Encoding` is undone, so a body the HTTP limits accept always fits a record.
 * `parseConfig` checks that a segment can hold such a record (WAL record header included).
 */
export function walRecordBytesMax(limits: Pick<LimitsConfig, 'bodyBytesMax' | 'decodedBytesMax'>): number {
  return Math.max(limits.bodyBytesMax, limits.decodedBytesMax) + INGEST_RECORD_OVERHEAD_BYTES;
}
