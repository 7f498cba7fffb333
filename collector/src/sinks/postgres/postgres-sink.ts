/**
 * The postgres sink: one connection (the engine writes one batch at a time per sink), opened
 * lazily and dropped on any error that is not a refused row, so the next write reconnects
 * (with a fresh IAM token when due). Before the first write on a connection the schema is
 * checked (./schema-check.ts); day partitions are kept between batches every
 * `partitions.checkIntervalMs` (./partitions.ts). Outcomes:
 * - every row stored or already there: `success`;
 * - some rows refused by the database: `partial` with those rows in `refused` (the rest landed);
 * - connection lost, server down, timeout, schema not ready: `retryable` (the engine backs
 *   off, the breaker opens, the WAL holds the rows, lag shows in /v1/status and /metrics).
 */
import type { Logger } from 'pino';
import pg from 'pg';
import { systemClock, type Clock } from '../../delivery/clock.js';
import { isCollectorError } from '../../errors.js';
import { LogEvent } from '../../telemetry/events.js';
import type { RefusedRecords, Sink, SinkLimits, SinkOutcome, SinkRecord } from '../sink.js';
import { STAGE_TABLE_SQL, writeBatch } from './batch-writer.js';
import type { LakeCatalog } from '../../lake/lake-catalog.js';
import { describePgError } from './classify-pg-error.js';
import { maintainPartitions } from './partitions.js';
import type { PostgresSinkConfig } from './postgres-config.js';
import { ensureSchema } from './schema-check.js';

export interface PostgresSinkOptions {
  readonly name: string;
  readonly config: PostgresSinkConfig;
  readonly limits: SinkLimits;
  /** `pg` client settings (host, TLS, password or IAM token source): ./connection-options.ts. */
  readonly client: pg.ClientConfig;
  readonly catalog: LakeCatalog;
  readonly log: Logger;
  /** This collector's stable id: keys failed-zone rows that have no request id. */
  readonly nodeId?: string;
  readonly clock?: Clock;
}

export interface PostgresSink extends Sink {
  /**
   * Connects and checks the schema now. Throws a CollectorError when the schema is missing
   * (without `migrate`) or incompatible, so the collector refuses to start; an unreachable
   * server is only logged (the WAL keeps accepting, the first write retries).
   */
  open(): Promise<void>;
}

/** After a failed partition upkeep (connection lost, no rights), the next try is this soon. */
const MAINTENANCE_RETRY_MS = 60_000;

export function createPostgresSink(options: PostgresSinkOptions): PostgresSink {
  const { config, log } = options;
  const clock = options.clock ?? systemClock;
  const target = { schema: config.schema, method: config.method, nodeId: options.nodeId ?? '' };
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let nextMaintenanceAtMs = 0;
  let migrated = false;

  const drop = (stale: pg.Client | undefined) => {
    if (stale === undefined) return;
    if (client === stale) client = undefined;
    stale.end().catch(() => undefined);
  };

  const connect = async (): Promise<pg.Client> => {
    const fresh = new pg.Client(options.client);
    // An idle connection that dies emits 'error'; without a listener it would crash the process.
    fresh.on('error', (error) => {
      log.warn({ event: LogEvent.PostgresConnectionLost, sink: options.name, err: error }, `postgres sink ${options.name}: connection lost (${error.message})`);
      drop(fresh);
    });
    try {
      await fresh.connect();
      // Migrate on the first connection only; a reconnect just checks (no DDL while analysts query).
      await ensureSchema(fresh, { schema: config.schema, migrate: config.migrate && !migrated, catalog: options.catalog, sinkName: options.name });
      migrated = true;
      await fresh.query(STAGE_TABLE_SQL);
    } catch (error) {
      fresh.end().catch(() => undefined);
      throw error;
    }
    return fresh;
  };

  const connected = async (): Promise<pg.Client> => {
    if (client) return client;
    connecting ??= connect().finally(() => (connecting = undefined));
    client = await connecting;
    return client;
  };

  const maintain = async (c: pg.Client) => {
    if (!config.partitions.manage || clock.now() < nextMaintenanceAtMs) return;
    nextMaintenanceAtMs = clock.now() + config.partitions.checkIntervalMs;
    try {
      const changes = await maintainPartitions(c, config.schema, config.partitions, clock.now());
      if (changes.created.length + changes.dropped.length > 0) {
        log.info({ event: LogEvent.PostgresPartitionsChanged, sink: options.name, created: changes.created, dropped: changes.dropped }, `postgres sink ${options.name}: ${changes.created.length} partitions created, ${changes.dropped.length} dropped`);
      }
    } catch (error) {
      // Not fatal: rows land in the default partitions (and move out once their day exists). Try again within a minute.
      nextMaintenanceAtMs = clock.now() + Math.min(config.partitions.checkIntervalMs, MAINTENANCE_RETRY_MS);
      log.warn({ event: LogEvent.PostgresPartitionsError, sink: options.name, err: error }, `postgres sink ${options.name}: partition upkeep failed: ${describePgError(error)}`);
    }
  };

  return {
    name: options.name,
    limits: options.limits,
    async open() {
      try {
        await maintain(await connected());
      } catch (error) {
        if (isCollectorError(error)) throw error;
        log.warn({ event: LogEvent.PostgresConnectError, sink: options.name, err: error }, `postgres sink ${options.name}: cannot reach the database yet (${describePgError(error)}); delivery retries`);
      }
    },
    async write(records: readonly SinkRecord[], signal: AbortSignal): Promise<SinkOutcome> {
      if (signal.aborted) return { status: 'retryable', error: signal.reason as Error };
      let current: pg.Client | undefined;
      // An abort (write deadline, shutdown) cuts the connection so the statement stops server-side too.
      const onAbort = () => drop(current);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        current = await connected();
        await maintain(current);
        const report = await writeBatch(current, target, records, { budgetMs: config.narrowBudgetMs, now: () => clock.now() });
        if (report.refused.length === 0 && report.unresolved.length === 0) return { status: 'success' };
        const said = report.refused.length > 0 ? `${report.refused.length} of ${records.length} rows refused: ${describePgError(report.refused[0]!.error)}` : 'no row refused yet';
        return {
          status: 'partial',
          retry: report.unresolved,
          refused: groupByError(report.refused),
          error: new Error(`${said}${report.unresolved.length > 0 ? `; ${report.unresolved.length} rows left to narrow down in the next write` : ''}`),
        };
      } catch (error) {
        drop(current);
        const message = isCollectorError(error) ? error.message : `postgres sink ${options.name}: ${describePgError(error)}`;
        return { status: 'retryable', error: new Error(message, { cause: error }) };
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}

/** One dead-letter write per distinct database error, its message naming the SQLSTATE. */
function groupByError(refused: readonly { record: SinkRecord; error: Error }[]): RefusedRecords[] {
  const groups = new Map<string, SinkRecord[]>();
  for (const { record, error } of refused) {
    const key = describePgError(error);
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return [...groups].map(([message, records]) => ({ records, error: new Error(message) }));
}
