/**
 * The postgres sink through REAL collector processes against a real PostgreSQL 15 started
 * here: exactly once across kill -9s (with the collector's own dedupe off, so only the
 * table's key can keep copies out), across two collectors, across a database restart; and a
 * row the database refuses goes to the dead-letter zone with its error while the rest lands.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { COLLECTOR_CLI, readLake, startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';
import { queryRows as query, startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { frameOf, makeEvents, postFrame, sendUntilAcked } from '../collector/helpers/batch-sender.js';

let server: PostgresServer;
const started: CollectorProcess[] = [];

beforeAll(async () => {
  server = await startPostgresServer();
});
afterAll(async () => {
  await server?.stop();
});
afterEach(async () => {
  for (const c of started.splice(0)) await c.cleanup();
});


const countRows = async (url: string, table = 'events') => Number((await query<{ n: string }>(url, `SELECT count(*) AS n FROM shopstream.${table}`))[0]!.n);

function collectorConfig(extra: { dedupe?: string; limits?: object; url?: string } = {}) {
  return {
    wal: { retainMs: 3_600_000 },
    ingest: { dedupe: { store: extra.dedupe ?? 'memory' } },
    delivery: { backoffBaseMs: 50, backoffMaxMs: 500, breakerOpenMs: 500 },
    sinks: [{ type: 'postgres', name: 'pg', migrate: true, ...(extra.url ? { url: extra.url } : {}), limits: { lingerMs: 20, ...extra.limits } }],
  };
}

type SinkStatus = { sink: string; lagRecords: number; deliveredRecords: number; deadLetteredRecords: number; lastError?: { message: string } };

async function sinkStatus(collector: CollectorProcess): Promise<SinkStatus> {
  const status = (await (await fetch(`${collector.url}/v1/status`)).json()) as { sinks: SinkStatus[] };
  return status.sinks.find((s) => s.sink === 'pg')!;
}

describe('postgres sink in a collector process', () => {
  it('stores 20,000 events exactly once while the collector is kill -9ed three times mid-delivery (collector dedupe off)', async () => {
    const url = await server.newDatabase();
    const options = { config: collectorConfig({ dedupe: 'off', limits: { recordsMax: 500 } }), env: { SHOPSTREAM_POSTGRES_URL: url } };
    let collector = await startCollectorProcess(options);
    started.push(collector);
    const acked: string[] = [];
    const frames = await Promise.all(Array.from({ length: 200 }, async () => {
      const events = makeEvents(100);
      return { ids: events.map((e) => e.id), frame: await frameOf(events) };
    }));
    const sender = (async () => {
      for (const { ids, frame } of frames) {
        await sendUntilAcked(() => collector.url, frame, { triesMax: 400 });
        acked.push(...ids);
      }
    })();
    const t0 = Date.now();
    for (const rows of [2_000, 7_000, 12_000]) {
      await waitFor(async () => (await countRows(url)) >= rows, 60_000, `${rows} rows`);
      const landed = await countRows(url);
      collector = await collector.restart(); // kill -9 with a transaction likely open, then start again
      started.push(collector);
      console.log(`killed at ${landed} rows in the table (${acked.length} events acknowledged) after ${Date.now() - t0} ms`);
    }
    await sender;
    console.log(`all acknowledged after ${Date.now() - t0} ms`);
    await waitFor(async () => (await countRows(url)) >= 20_000 && (await sinkStatus(collector)).lagRecords === 0, 60_000, 'all 20,000 rows');
    const [counts] = await query<{ n: string; ids: string }>(url, 'SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM shopstream.events');
    expect(Number(counts!.n)).toBe(20_000);
    expect(Number(counts!.ids)).toBe(20_000);
    const stored = new Set((await query<{ event_id: string }>(url, 'SELECT event_id FROM shopstream.events')).map((r) => r.event_id));
    expect(acked.length).toBe(20_000);
    expect(acked.every((id) => stored.has(id))).toBe(true);
  });

  it('stores the same batch sent to two collectors (in-memory dedupe each) once', async () => {
    const url = await server.newDatabase();
    const [a, b] = await Promise.all([startCollectorProcess({ config: collectorConfig({ url }) }), startCollectorProcess({ config: collectorConfig({ url }) })]);
    started.push(a!, b!);
    const events = makeEvents(100);
    const frame = await frameOf(events);
    for (const collector of [a!, b!]) expect((await postFrame(collector.url, frame)).status).toBe(200);
    await waitFor(async () => (await countRows(url, 'requests')) >= 2, 20_000, 'both requests audited');
    await waitFor(async () => (await sinkStatus(a!)).lagRecords === 0 && (await sinkStatus(b!)).lagRecords === 0, 20_000, 'both drained');
    expect(await countRows(url)).toBe(100);
    expect((await query<{ accepted: number }>(url, 'SELECT accepted FROM shopstream.requests')).map((r) => r.accepted)).toEqual([100, 100]);
  });

  it('holds a backlog while PostgreSQL is down and drains it after the restart, losing nothing', async () => {
    const url = await server.newDatabase();
    const collector = await startCollectorProcess({ config: collectorConfig({ url }) });
    started.push(collector);
    const send = async (batches: number) => {
      const ids: string[] = [];
      for (let i = 0; i < batches; i++) {
        const events = makeEvents(100);
        await sendUntilAcked(() => collector.url, await frameOf(events));
        ids.push(...events.map((e) => e.id));
      }
      return ids;
    };
    const before = await send(10);
    await waitFor(async () => (await countRows(url)) === 1_000, 20_000, 'first 1,000 rows');
    await server.crash();
    onTestFinished(() => server.start().catch(() => undefined));
    const during = await send(10);
    await waitFor(async () => {
      const lagging = await sinkStatus(collector);
      return lagging.lagRecords >= 10 && /ECONNREFUSED|terminat|connect/i.test(lagging.lastError?.message ?? '');
    }, 20_000, 'a backlog, and the connection error in /v1/status');
    const more = await send(5);
    await waitFor(async () => (await sinkStatus(collector)).lagRecords >= 15, 20_000, 'the backlog to grow');
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(Number(/^shopstream_sink_lag_records\{sink="pg"\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(15);
    expect(Number(/^shopstream_sink_write_error_total\{sink="pg",status="retryable"\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    await server.start();
    await waitFor(async () => (await sinkStatus(collector)).lagRecords === 0, 30_000, 'the backlog to drain');
    const stored = new Set((await query<{ event_id: string }>(url, 'SELECT event_id FROM shopstream.events')).map((r) => r.event_id));
    expect(stored.size).toBe(2_500);
    expect([...before, ...during, ...more].every((id) => stored.has(id))).toBe(true);
    expect(await countRows(url)).toBe(2_500);
  });

  it('refuses to start on a schema nobody set up; with the SQL `sink sql` prints applied it starts, and a row the database refuses is dead-lettered with its error while the rest of the batch lands', async () => {
    const url = await server.newDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'pg-cli-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const config = { ...collectorConfig({ url }), sinks: [{ type: 'postgres', name: 'pg', url, migrate: false, limits: { lingerMs: 20 } }] };
    await expect(startCollectorProcess({ config, dir })).rejects.toThrow(/COLLECTOR_SINK_SCHEMA_MISSING.*shopstream-collector sink sql pg/);
    const configFile = join(dir, 'sql.json');
    await writeFile(configFile, JSON.stringify(config));
    const sql = execFileSync(process.execPath, [COLLECTOR_CLI, 'sink', 'sql', 'pg', '--config', configFile], { encoding: 'utf8' });
    expect(sql).toMatch(/^-- Shopstream postgres sink: schema shopstream, version 1/);
    await query(url, sql); // what a DBA runs
    const collector = await startCollectorProcess({ config, dir });
    started.push(collector);

    const events = makeEvents(50);
    // jsonb cannot hold U+0000: PostgreSQL refuses this one row (22P05), the JSON itself is valid.
    events[17]!.properties = { ...events[17]!.properties, note: 'nul \u0000 inside' };
    expect((await postFrame(collector.url, await frameOf(events))).status).toBe(200);
    await waitFor(async () => (await sinkStatus(collector)).lagRecords === 0 && (await countRows(url)) === 49, 20_000, '49 rows');
    const stored = new Set((await query<{ event_id: string }>(url, 'SELECT event_id FROM shopstream.events')).map((r) => r.event_id));
    expect(stored.has(events[17]!.id)).toBe(false);
    expect(events.filter((_, i) => i !== 17).every((e) => stored.has(e.id))).toBe(true);
    const dead = await readLake(collector.lakeDir, 'failed');
    const letters = dead.filter((d) => (d.value.deadLetter as { sink?: string } | undefined)?.sink === 'pg');
    expect(letters).toHaveLength(1);
    expect((letters[0]!.value.record as { id: string }).id).toBe(events[17]!.id);
    expect(letters[0]!.value.deadLetter).toMatchObject({ code: 'COLLECTOR_SINK_REJECTED', message: expect.stringMatching(/22P05.*Unicode/) });
    expect((await sinkStatus(collector)).deadLetteredRecords).toBe(1);
  });
});
