/**
 * Builds every ingest stage from the config, once, for `startCollector`: the ack-path gates
 * (signatures, size limits, rate limits), the post-WAL chain (decrypt inside decode, event
 * size, validate, dedupe, PII, counting), synchronous validation and schema reloads.
 */
import { resolve } from 'node:path';
import { createOpener, type Opener } from '@shopstream/shared';
import type { Logger } from 'pino';
import type { CollectorConfig } from '../config/config.js';
import type { IngestGate } from '../gates/ingest-gate.js';
import { LogEvent } from '../telemetry/events.js';
import type { WriteAheadLog } from '../wal/wal.js';
import { signatureGate } from '../gates/signature/signature-gate.js';
import { createMemoryDeduper } from './dedupe/memory.js';
import { loadOrCreateNodeId } from './dedupe/node-id.js';
import type { Deduper } from './dedupe/deduper.js';
import { warmFromWal } from './dedupe/warm-from-wal.js';
import type { IngestConfig } from './ingest-config.js';
import { buildChain, type ChainOptions, type ChainPurpose } from './chain/build-chain.js';
import type { IngestObserver } from './ingest-observer.js';
import type { IngestRecord } from './ingest-record.js';
import { ackLimitsGate } from '../gates/ack-limits-gate.js';
import { createFieldCipher } from './pii/field-cipher.js';
import { createProcessor, type Stage } from './processor.js';
import { rateLimitGate } from '../gates/rate-limit/rate-limit-gate.js';
import { sealedKeyGate } from '../gates/sealed-key-gate.js';
import { createSourceRateLimiter } from '../gates/rate-limit/source-rate-limiter.js';
import { defaultCatalogDir, loadSchemaFolders } from './schema/load-schema-folder.js';
import type { ReloadableRegistry, ReloadOutcome } from './schema/reloadable-registry.js';
import { validateSync, type SyncValidationResult } from './sync-validation.js';

export interface IngestRuntimeOptions {
  readonly log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly nowMs?: () => number;
  /** Told when a source is throttled (metrics). */
  readonly onThrottled?: (source: string, limit: 'requests' | 'events') => void;
  /**
   * False on a thread that only acknowledges (delivery runs in a worker): no deduper (no Redis
   * connection) and no PII cipher are made here; gates, sync validation and schemas still are.
   */
  readonly postWal?: boolean;
}

export interface StageContext {
  readonly observer?: IngestObserver;
}

export interface IngestRuntime {
  readonly nodeId: string;
  readonly deduper: Deduper | undefined;
  /** After the write-key gate, in this order. */
  readonly ingestGates: readonly IngestGate[];
  /** The post-WAL chain for `purpose`, from the config (./chain/build-chain.ts). */
  chain(purpose: ChainPurpose, context?: StageContext): Stage[];
  /**
   * Rebuilds the memory dedupe window from the WAL before the first batch is deduplicated (the
   * dedupe stages of chains made after this call wait for it); resolves at once for Redis.
   */
  warmDedupe(wal: Pick<WriteAheadLog, 'read' | 'stats'>): Promise<unknown>;
  readonly syncValidationByDefault: boolean;
  validateSync(record: IngestRecord): Promise<SyncValidationResult>;
  reloadSchemas(): Promise<ReloadOutcome>;
  close(): Promise<void>;
}

export async function createIngestRuntime(config: CollectorConfig, ingest: IngestConfig, options: IngestRuntimeOptions = {}): Promise<IngestRuntime> {
  const log = options.log;
  const postWal = options.postWal ?? true;
  // A thread that only acknowledges reads the files now (the set as of start; a broken file
  // fails the start) and compiles them on demand (ajv, like ioredis below, loads then), so its
  // listener never waits for them. Delivery reads them as it builds, the latest set.
  const catalogDir = defaultCatalogDir();
  const customDir = ingest.schemas.customDir ? resolve(ingest.schemas.customDir) : undefined;
  const startDocuments = postWal ? undefined : await loadSchemaFolders(catalogDir, customDir);
  const registryReady = import('./schema/reloadable-registry.js').then(({ createReloadableRegistry }) => createReloadableRegistry({
    catalogDir,
    ...(customDir ? { customDir } : {}),
    ...(startDocuments ? { startDocuments } : {}),
    strict: ingest.schemas.strict,
    watch: ingest.schemas.watch,
    onReload: (outcome) =>
      outcome.status === 'success'
        ? log?.info({ event: LogEvent.SchemasReloaded, schemas: outcome.schemaIds.length }, `schemas reloaded: ${outcome.schemaIds.length} registered`)
        : log?.error({ event: LogEvent.SchemasReloadError, err: outcome.error }, `schema reload failed, the previous schemas stay: ${outcome.error.message}`),
  }));
  // Delivery needs the schemas before its first record; a thread that only acknowledges needs
  // them for sync validation alone, so they compile while its listener opens (fast start) and
  // a sync validation waits for them. A broken set still fails the start: delivery builds it too.
  let registry: ReloadableRegistry | undefined;
  if (postWal) registry = await registryReady;
  else registryReady.then((built) => (registry = built), () => undefined);
  const nodeId = ingest.nodeId ?? (await loadOrCreateNodeId(resolve(config.wal.dir)));

  let opener: Opener | undefined;
  if (ingest.decryption.keys.length > 0) {
    const made = createOpener({ keys: ingest.decryption.keys });
    await made.ready; // a bad key fails the start, not the first sealed batch
    opener = made;
  }

  const cipher = postWal && ingest.pii ? createFieldCipher(ingest.pii) : undefined;
  if (postWal && !cipher) log?.warn({ event: LogEvent.PiiKeysMissing }, 'ingest.pii has no keys: fields annotated x-pii are dropped instead of hashed or encrypted');

  let deduper: Deduper | undefined;
  const { dedupe } = ingest;
  if (postWal && dedupe.store === 'memory') deduper = createMemoryDeduper({ windowMs: dedupe.windowMs, idsMax: dedupe.idsMax });
  if (postWal && dedupe.store === 'redis') {
    let reported = false;
    const { createRedisDeduper } = await import('./dedupe/redis.js');
    deduper = createRedisDeduper({
      url: dedupe.redisUrl,
      keyPrefix: dedupe.keyPrefix,
      windowMs: dedupe.windowMs,
      failMode: dedupe.failMode,
      commandTimeoutMs: dedupe.commandTimeoutMs,
      onUnavailable: (error) => {
        if (reported) return; // once per outage, not per batch
        reported = true;
        log?.error({ event: LogEvent.DedupeUnavailable, failMode: dedupe.failMode, err: error }, `Redis deduper unreachable (failMode ${dedupe.failMode})`);
        setTimeout(() => (reported = false), 30_000).unref();
      },
    });
  }

  const limits = { decodedBytesMax: config.limits.decodedBytesMax, jsonBodyBytesMax: ingest.jsonBodyBytesMax };
  const chainOf = (purpose: ChainPurpose, extra: Partial<ChainOptions> = {}): Stage[] =>
    buildChain({
      purpose,
      decodedBytesMax: config.limits.decodedBytesMax,
      eventsPerBatchMax: config.limits.eventsPerBatchMax,
      eventValue: { depthMax: config.limits.eventDepthMax, eventBytesMax: ingest.eventBytesMax },
      registry: () => registry!.current,
      nodeId,
      ...(opener ? { opener } : {}),
      ...(deduper ? { deduper } : {}),
      ...(cipher ? { cipher } : {}),
      ...extra,
    });
  const preview = createProcessor(chainOf('preview'));

  const gates: IngestGate[] = [
    signatureGate({ windowMs: ingest.signatureWindowMs, ...(options.nowMs ? { nowMs: options.nowMs } : {}) }),
    ackLimitsGate(limits),
    sealedKeyGate(ingest.decryption.keys.map((key) => key.keyId)),
    rateLimitGate(createSourceRateLimiter(ingest.rateLimits, options.nowMs), options.onThrottled),
  ];

  let dedupeReady: Promise<unknown> | undefined;
  return {
    nodeId,
    deduper,
    ingestGates: gates,
    chain(purpose, context = {}) {
      return chainOf(purpose, { ...(context.observer ? { observer: context.observer } : {}), ...(dedupeReady ? { dedupeReady } : {}) });
    },
    warmDedupe(wal) {
      if (dedupe.store !== 'memory' || !deduper || dedupeReady) return dedupeReady ?? Promise.resolve();
      const { oldestLsn, endLsn } = wal.stats();
      const claimer = createProcessor(chainOf('claim'));
      const startedMs = Date.now();
      dedupeReady = warmFromWal(wal, oldestLsn, endLsn, claimer).then(
        (records) => log?.info({ event: LogEvent.DedupeWarmed, records, ms: Date.now() - startedMs }, `dedupe window rebuilt from ${records} WAL records`),
        (error: unknown) => log?.error({ event: LogEvent.DedupeWarmError, err: error }, 'rebuilding the dedupe window from the WAL failed; duplicates of older events may pass'),
      );
      return dedupeReady;
    },
    syncValidationByDefault: ingest.syncValidation,
    validateSync: async (record) => {
      await registryReady;
      return validateSync(preview, record);
    },
    reloadSchemas: async () => (await registryReady).reload(),
    async close() {
      await registryReady.then((built) => built.close(), () => undefined);
      await deduper?.close?.();
    },
  };
}
