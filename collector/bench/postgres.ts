/**
 * `npm run bench -- postgres [events]`: rows/s the postgres sink stores into a real PostgreSQL 15
 * (started here, on loopback, fsync off) for 500,000 clean-zone events of ~560 B, written as the
 * delivery engine does (batches of `recordsMax`, one `write` at a time, each one transaction):
 * COPY into the staging table + one INSERT … SELECT … ON CONFLICT DO NOTHING per batch (value),
 * against multi-row INSERT … ON CONFLICT DO NOTHING with the same batches (baseline), each into
 * its own fresh database, batch by batch in turn (so both meet the same load on a shared
 * machine). Both run the same projection, partitions, keys and indexes; only how rows reach the
 * server differs. ratio = COPY / INSERT.
 */
import pino from 'pino';
import { uuidV7 } from '@shopstream/shared';
import { startPostgresServer } from '../../test/support/postgres-server.js';
import { loadLakeCatalog } from '../src/lake/lake-catalog.js';
import { clientConfig, parseTarget } from '../src/sinks/postgres/connection-options.js';
import { readPostgresSinkConfig, type WriteMethod } from '../src/sinks/postgres/postgres-config.js';
import { createPostgresSink, type PostgresSink } from '../src/sinks/postgres/postgres-sink.js';
import { ConfigReader } from '../src/config/config-reader.js';
import type { SinkRecord } from '../src/sinks/sink.js';

const EVENTS = Number(process.argv[2] ?? 500_000);
const BATCH_RECORDS = 10_000;

function makeRecords(count: number): SinkRecord[] {
  const receivedAtMs = Date.now();
  const receivedAt = new Date(receivedAtMs).toISOString();
  return Array.from({ length: count }, (_, i) => {
    const event = {
      id: uuidV7(),
      type: 'Product Viewed',
      kind: 'track',
      source: 'web',
      anonymousId: `anon-${i % 5000}`,
      userId: i % 3 === 0 ? `user-${i % 2000}` : undefined,
      sessionId: `sess-${i % 800}`,
      timestamp: new Date(receivedAtMs - (i % 60_000)).toISOString(),
      receivedAt,
      context: { page: { url: `https://shop.example/p/${i % 900}` }, locale: 'de-DE', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench' },
      properties: { product_id: String(1000 + (i % 900)), name: 'Grüner Tee, lose, 100 g', price: 4.5, currency: 'EUR', category: 'Tea', position: i % 24 },
    };
    return { lsn: Math.floor(i / 100) * 4096, index: i % 100, zone: 'clean', source: 'web', eventType: event.type, eventId: event.id, receivedAtMs, json: JSON.stringify(event) };
  });
}

async function openSink(method: WriteMethod, url: string): Promise<PostgresSink> {
  const config = readPostgresSinkConfig(ConfigReader.of({ url, migrate: true, method }, 'sinks[0]'));
  const sink = createPostgresSink({
    name: method,
    config,
    limits: { recordsMax: BATCH_RECORDS, bytesMax: 1 << 30, recordBytesMax: 1 << 20, lingerMs: 0 },
    client: clientConfig(config, parseTarget(url), undefined),
    catalog: await loadLakeCatalog(),
    log: pino({ level: 'warn' }),
  });
  await sink.open();
  return sink;
}

async function timedWrite(sink: PostgresSink, batch: readonly SinkRecord[]): Promise<number> {
  const started = process.hrtime.bigint();
  const outcome = await sink.write(batch, AbortSignal.timeout(120_000));
  if (outcome.status !== 'success') throw new Error(`${sink.name}: ${outcome.status} ${'error' in outcome ? outcome.error?.message : ''}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const server = await startPostgresServer();
try {
  const records = makeRecords(EVENTS);
  const bytes = records.reduce((sum, r) => sum + r.json.length, 0);
  console.log(`${EVENTS} events, ${Math.round(bytes / EVENTS)} B JSON each, batches of ${BATCH_RECORDS}`);
  // Interleaved batch by batch (order alternating), so both methods meet the same load on a shared machine.
  const sinks = { insert: await openSink('insert', await server.createDatabase('bench_insert')), copy: await openSink('copy', await server.createDatabase('bench_copy')) };
  const seconds = { insert: 0, copy: 0 };
  for (let at = 0, i = 0; at < records.length; at += BATCH_RECORDS, i++) {
    const batch = records.slice(at, at + BATCH_RECORDS);
    for (const method of i % 2 === 0 ? (['insert', 'copy'] as const) : (['copy', 'insert'] as const)) seconds[method] += await timedWrite(sinks[method], batch);
  }
  await Promise.all([sinks.insert.close?.(), sinks.copy.close?.()]);
  const insert = records.length / seconds.insert;
  const copy = records.length / seconds.copy;
  console.log(`multi-row INSERT ... ON CONFLICT DO NOTHING: ${Math.round(insert)} rows/s`);
  console.log(`COPY + INSERT ... SELECT ... ON CONFLICT DO NOTHING: ${Math.round(copy)} rows/s`);
  console.log(JSON.stringify({ bench: 'postgres', value: Math.round(copy), unit: 'rows/s', baseline: Math.round(insert), ratio: Number((copy / insert).toFixed(2)) }));
} finally {
  await server.stop();
}
