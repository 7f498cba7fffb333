/**
 * The postgres sink in-process against a real PostgreSQL 15 started here: schema checks and
 * migration, both write methods, typed views, row refusals narrowed to the rows, partitions
 * created ahead / moved out of the default / dropped by retention, IAM token reuse, TLS options.
 */
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { uuidV7 } from '@shopstream/shared';
import { ConfigReader } from '../../collector/src/config/config-reader.js';
import { loadLakeCatalog } from '../../collector/src/lake/lake-catalog.js';
import type { LakeCatalog } from '../../collector/src/lake/lake-catalog.js';
import { clientConfig, parseTarget, tlsOptions } from '../../collector/src/sinks/postgres/connection-options.js';
import { iamPasswordSource, passwordFor } from '../../collector/src/sinks/postgres/iam-token.js';
import { maintainPartitions } from '../../collector/src/sinks/postgres/partitions.js';
import { readPostgresSinkConfig } from '../../collector/src/sinks/postgres/postgres-config.js';
import { createPostgresSink, type PostgresSink } from '../../collector/src/sinks/postgres/postgres-sink.js';
import type { SinkRecord } from '../../collector/src/sinks/sink.js';
import { queryRows as query, startPostgresServer, type PostgresServer } from '../support/postgres-server.js';

let server: PostgresServer;
let catalog: LakeCatalog;
const log = pino({ level: 'silent' });
const DAY_MS = 86_400_000;

beforeAll(async () => {
  [server, catalog] = await Promise.all([startPostgresServer({ tls: true }), loadLakeCatalog()]);
});
afterAll(async () => {
  await server?.stop();
});


function sinkFor(url: string, entry: Record<string, unknown> = {}): PostgresSink {
  const config = readPostgresSinkConfig(ConfigReader.of({ url, migrate: true, ...entry }, 'sinks[0]'));
  return createPostgresSink({
    name: 'pg',
    config,
    limits: { recordsMax: 10_000, bytesMax: 1 << 24, recordBytesMax: 1 << 22, lingerMs: 0 },
    client: clientConfig(config, parseTarget(url), undefined),
    catalog,
    log,
    nodeId: 'node-a',
  });
}

function eventRecord(event: Record<string, unknown>, index = 0, receivedAtMs = Date.now()): SinkRecord {
  const full = { id: uuidV7(), type: 'Order Completed', kind: 'track', source: 'web', timestamp: new Date(receivedAtMs).toISOString(), receivedAt: new Date(receivedAtMs).toISOString(), ...event };
  return { lsn: 4096, index, zone: 'clean', source: 'web', eventType: full.type as string, eventId: full.id as string, receivedAtMs, json: JSON.stringify(full) };
}

const signal = () => AbortSignal.timeout(30_000);

describe('schema setup', () => {
  it('refuses to start on a missing schema without migrate, naming the command that prints the SQL', async () => {
    const sink = sinkFor(await server.newDatabase(), { migrate: false });
    await expect(sink.open()).rejects.toMatchObject({ code: 'COLLECTOR_SINK_SCHEMA_MISSING', message: expect.stringContaining('shopstream-collector sink sql pg') });
  });

  it('refuses a schema of another version and tables without a version table; migrates a fresh one once from two sinks at a time', async () => {
    const url = await server.newDatabase();
    const [a, b] = [sinkFor(url), sinkFor(url)];
    await Promise.all([a.open(), b.open()]);
    await Promise.all([a.close!(), b.close!()]);
    expect(await query(url, 'SELECT version FROM shopstream.schema_version')).toEqual([{ version: 1 }]);
    const views = await query<{ table_name: string }>(url, "SELECT table_name FROM information_schema.views WHERE table_schema = 'shopstream' ORDER BY 1");
    expect(views.map((v) => v.table_name)).toEqual(expect.arrayContaining(['identify', 'order_completed', 'product_viewed']));

    await query(url, 'UPDATE shopstream.schema_version SET version = 99');
    await expect(sinkFor(url).open()).rejects.toMatchObject({ code: 'COLLECTOR_SINK_SCHEMA_INCOMPATIBLE', message: expect.stringContaining('version 99') });
    await query(url, 'DROP TABLE shopstream.schema_version');
    await expect(sinkFor(url).open()).rejects.toMatchObject({ code: 'COLLECTOR_SINK_SCHEMA_INCOMPATIBLE', message: expect.stringContaining('no schema_version') });
  });

  it('answers retryable while the server is unreachable, and open() does not throw', async () => {
    const sink = sinkFor('postgres://postgres@127.0.0.1:1/none', { connectTimeoutMs: 500 });
    await sink.open();
    const outcome = await sink.write([eventRecord({})], signal());
    expect(outcome).toMatchObject({ status: 'retryable', error: { message: expect.stringMatching(/ECONNREFUSED/) } });
  });
});

describe('writes', () => {
  it('stores the same rows with COPY and with multi-row INSERT, once however often a batch is written', async () => {
    const records = Array.from({ length: 300 }, (_, i) => eventRecord({ userId: `u${i % 7}`, sentAt: 'not a time', properties: { order_id: `o${i}`, total: i + 0.5, coupon: i % 2 ? 'X' : 42 } }, i));
    const audit: SinkRecord = { lsn: 4096, index: 300, zone: 'audit', source: 'web', eventType: 'request', receivedAtMs: records[0]!.receivedAtMs, json: JSON.stringify({ requestId: 'r1', source: 'web', receivedAt: new Date(records[0]!.receivedAtMs).toISOString(), lsn: 4096, contentKind: 'frame', bytes: 10, accepted: 300, rejected: 0, duplicates: 0 }) };
    // An undecodable WAL record has no request id: the node id and WAL position key it.
    const undecodable: SinkRecord = { lsn: 8192, index: 0, zone: 'failed', source: 'unknown', eventType: 'batch', receivedAtMs: 0, json: JSON.stringify({ reason: { code: 'COLLECTOR_UNDECODABLE_BATCH', message: 'bad', stage: 'ingest-record' }, lsn: 8192 }) };
    const tables: string[] = [];
    for (const method of ['copy', 'insert']) {
      const url = await server.newDatabase();
      const sink = sinkFor(url, { method });
      await sink.open();
      expect(await sink.write([...records, audit, undecodable], signal())).toEqual({ status: 'success' });
      expect(await sink.write([...records.slice(100), audit], signal())).toEqual({ status: 'success' }); // a replay
      await sink.close!();
      const rows = await query(url, 'SELECT event_id, event_at, event_type, user_id, sent_at, properties FROM shopstream.events ORDER BY event_id');
      expect(rows).toHaveLength(300);
      expect(rows.every((r) => r.sent_at === null)).toBe(true);
      expect(await query(url, 'SELECT request_id, accepted FROM shopstream.requests')).toEqual([{ request_id: 'r1', accepted: 300 }]);
      expect(await query(url, 'SELECT request_id, reason_code FROM shopstream.failed_events')).toEqual([{ request_id: 'node-a:lsn:8192', reason_code: 'COLLECTOR_UNDECODABLE_BATCH' }]);
      const typed = await query<{ order_id: string; total: number; coupon: string | null }>(url, "SELECT order_id, total, coupon FROM shopstream.order_completed WHERE order_id IN ('o1', 'o2') ORDER BY order_id");
      expect(typed).toEqual([{ order_id: 'o1', total: 1.5, coupon: 'X' }, { order_id: 'o2', total: 2.5, coupon: null }]); // 42 is not a string: NULL, not an error
      tables.push(JSON.stringify(rows));
    }
    expect(tables[0]).toBe(tables[1]);
  });

  it('narrows refused rows to themselves, each with the database error, and stores the rest in the same transaction', async () => {
    const url = await server.newDatabase();
    const sink = sinkFor(url);
    await sink.open();
    const records = Array.from({ length: 1000 }, (_, i) => eventRecord({ properties: { order_id: `o${i}` } }, i));
    const nul = eventRecord({ properties: { note: 'a\u0000b' } }, 1000);
    const feb30 = eventRecord({ timestamp: '2026-02-30T10:00:00Z' }, 1001);
    const batch = [...records.slice(0, 400), nul, ...records.slice(400, 700), feb30, ...records.slice(700)];
    const outcome = await sink.write(batch, signal());
    expect(outcome.status).toBe('partial');
    if (outcome.status !== 'partial') return;
    expect(outcome.retry).toEqual([]);
    const refused = new Map((outcome.refused ?? []).flatMap((r) => r.records.map((record) => [record, r.error.message])));
    expect(refused.size).toBe(2);
    expect(refused.get(nul)).toMatch(/^22P05 .*Unicode/);
    expect(refused.get(feb30)).toMatch(/^22008 .*out of range/);
    const stored = await query<{ n: string }>(url, 'SELECT count(*) AS n FROM shopstream.events');
    expect(Number(stored[0]!.n)).toBe(1000);
    await sink.close!();
  });

  it('with no time budget left for narrowing, hands the rest back and gets there over several writes', async () => {
    const url = await server.newDatabase();
    const sink = sinkFor(url, { narrowBudgetMs: 0 });
    await sink.open();
    const batch = Array.from({ length: 30 }, (_, i) => eventRecord({ properties: { order_id: `o${i}`, ...(i % 5 < 2 ? { note: '\u0000' } : {}) } }, i));
    const refused: SinkRecord[] = [];
    let pending: readonly SinkRecord[] = batch;
    let writes = 0;
    let handedBack = 0;
    while (pending.length > 0 && writes < 30) {
      writes += 1;
      const outcome = await sink.write(pending, signal());
      if (outcome.status === 'success') break;
      expect(outcome.status).toBe('partial');
      if (outcome.status !== 'partial') return;
      refused.push(...(outcome.refused ?? []).flatMap((r) => r.records));
      handedBack += outcome.retry.length > 0 ? 1 : 0;
      pending = outcome.retry;
    }
    expect(handedBack).toBeGreaterThan(0);
    expect(new Set(refused)).toEqual(new Set(batch.filter((_, i) => i % 5 < 2)));
    expect(Number((await query<{ n: string }>(url, 'SELECT count(*) AS n FROM shopstream.events'))[0]!.n)).toBe(18);
    await sink.close!();
  });
});

describe('partitions', () => {
  it('creates day partitions ahead, moves rows the default partition holds for a new day, and drops expired days', async () => {
    const url = await server.newDatabase();
    const sink = sinkFor(url, { partitions: { manage: false } });
    await sink.open();
    const now = Date.UTC(2026, 11, 5, 12);
    const future = now + 10 * DAY_MS; // a client clock 10 days ahead: no partition yet
    const old = '2020-01-01T00:00:00.000Z'; // far older than the retention: lands in the default partition
    const batch = [eventRecord({ timestamp: old }, 0), eventRecord({ timestamp: new Date(now).toISOString() }, 1), eventRecord({ timestamp: new Date(future).toISOString() }, 2)];
    expect(await sink.write(batch, signal())).toEqual({ status: 'success' });
    await sink.close!();
    const client = new pg.Client(url);
    await client.connect();
    try {
      const config = { manage: true, aheadDays: 2, retentionDays: 30, checkIntervalMs: 3_600_000 };
      const first = await maintainPartitions(client, 'shopstream', config, now);
      expect(first.created).toEqual(expect.arrayContaining(['events_p20261204', 'events_p20261205', 'events_p20261207', 'requests_p20261207', 'failed_events_p20261205']));
      expect(first.created).toHaveLength(12);
      const where = async () => (await client.query<{ p: string }>('SELECT tableoid::regclass::text AS p FROM shopstream.events ORDER BY event_at')).rows.map((r) => r.p);
      // All three were written before any day partition existed: today's row moved into its new
      // partition, the 2020 row (older than the retention) was deleted from the default partition.
      expect(await where()).toEqual(['shopstream.events_p20261205', 'shopstream.events_default']);
      const later = await maintainPartitions(client, 'shopstream', config, future);
      expect(later.created).toContain('events_p20261215');
      expect(await where()).toEqual(['shopstream.events_p20261205', 'shopstream.events_p20261215']);
      const expired = await maintainPartitions(client, 'shopstream', config, now + 40 * DAY_MS);
      expect(expired.dropped).toEqual(expect.arrayContaining(['events_p20261204', 'events_p20261205', 'events_p20261207']));
      expect(await where()).toEqual(['shopstream.events_p20261215']);
    } finally {
      await client.end();
    }
  });
});

describe('connection settings', () => {
  it('re-signs an IAM token only when the last one is 10 minutes old', async () => {
    let nowMs = 0;
    let signed = 0;
    const password = iamPasswordSource({ getAuthToken: async () => `token-${++signed}` }, { now: () => nowMs });
    expect(await password()).toBe('token-1');
    nowMs = 9 * 60_000;
    expect(await password()).toBe('token-1');
    nowMs = 10 * 60_000;
    expect(await password()).toBe('token-2');
  });

  it('speaks TLS as configured: verify-full checks the CA and the host name, verify-ca only the CA, require neither', async () => {
    const url = await server.newDatabase();
    const attempt = async (tls: Record<string, unknown>) => {
      const sink = sinkFor(url, { tls, connectTimeoutMs: 5_000 });
      const outcome = await sink.write([eventRecord({})], signal());
      await sink.close!();
      return outcome;
    };
    expect(await attempt({ mode: 'verify-full', caFile: server.caFile })).toEqual({ status: 'success' });
    expect(await attempt({ mode: 'verify-full' })).toMatchObject({ status: 'retryable', error: { message: expect.stringMatching(/certificate/i) } });
    expect(await attempt({ mode: 'verify-full', caFile: server.caFile, serverName: 'db.example' })).toMatchObject({ status: 'retryable', error: { message: expect.stringMatching(/altnames|does not match/i) } });
    expect(await attempt({ mode: 'verify-ca', caFile: server.caFile, serverName: 'db.example' })).toEqual({ status: 'success' });
    expect(await attempt({ mode: 'require' })).toEqual({ status: 'success' });
    const config = readPostgresSinkConfig(ConfigReader.of({ url, tls: { mode: 'verify-full', caFile: server.caFile } }, 's'));
    const client = new pg.Client(clientConfig(config, parseTarget(url), undefined));
    await client.connect();
    const [row] = (await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows;
    await client.end();
    expect(row).toEqual({ ssl: true });
  });

  it('with iam, the password is an RDS auth token signed by @aws-sdk/rds-signer for the URL\'s host, port and user', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' });
    onTestFinished(() => {
      for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) if (saved[key] === undefined) delete process.env[key];
    });
    const url = 'postgres://collector@db.abc.eu-central-1.rds.amazonaws.com:5432/shop';
    const config = readPostgresSinkConfig(ConfigReader.of({ url, iam: { region: 'eu-central-1' } }, 's'));
    const password = await passwordFor(config, parseTarget(url));
    expect(typeof password).toBe('function');
    const token = await (password as () => Promise<string>)();
    expect(token).toMatch(/^db\.abc\.eu-central-1\.rds\.amazonaws\.com:5432\/\?Action=connect&DBUser=collector&/);
    expect(token).toContain('X-Amz-Expires=900');
    expect(token).toContain('eu-central-1%2Frds-db%2Faws4_request');
    expect(await (password as () => Promise<string>)()).toBe(token); // reused within 10 minutes
  });

  it('maps TLS modes to certificate checks and refuses IAM without TLS', () => {
    expect(tlsOptions({ mode: 'disable' }, 'db')).toBe(false);
    expect(tlsOptions({ mode: 'require' }, 'db')).toEqual({ rejectUnauthorized: false });
    expect(tlsOptions({ mode: 'verify-full', caFile: 'rds.pem' }, 'db.rds.amazonaws.com', () => 'PEM')).toEqual({ rejectUnauthorized: true, servername: 'db.rds.amazonaws.com', ca: 'PEM' });
    const verifyCa = tlsOptions({ mode: 'verify-ca' }, 'db') as { rejectUnauthorized: boolean; checkServerIdentity: () => unknown };
    expect(verifyCa.rejectUnauthorized).toBe(true);
    expect(verifyCa.checkServerIdentity()).toBeUndefined();
    expect(readPostgresSinkConfig(ConfigReader.of({ iam: { region: 'eu-central-1' } }, 's')).tls.mode).toBe('verify-full');
    expect(() => readPostgresSinkConfig(ConfigReader.of({ iam: {}, tls: { mode: 'disable' } }, 's'))).toThrow(/iam/);
    expect(() => readPostgresSinkConfig(ConfigReader.of({ schema: 'Bad-Name' }, 's'))).toThrow(/schema/);
  });
});
