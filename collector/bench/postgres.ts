/**
 * `npm run bench -- postgres [events]`: rows/s the postgres sink stores into a real PostgreSQL 15
 * (started here, on loopback, fsync off) for 500,000 clean-zone events of ~560 B, written as the
 * delivery engine does (batches of `recordsMax`, one `write` at a time, each one transaction):
 * COPY into the staging table + one INSERT … SELECT … ON CONFLICT DO NOTHING per batch (value),
 * against multi-row INSERT … ON CONFLICT DO NOTHING with the same batches (baseline), each into
 * its own fresh database. Both run the same projection, partitions, keys and indexes; only how
 * rows reach the server differs. ratio = COPY / INSERT.
 */
import pino from 'pino';
import { uuidV7 } from '@shopstream/shared';
import { startPostgresServer } from '../../test/support/postgres-server.js';
import { loadLakeCatalog } from '../src/lake/lake-catalog.js';
import { clientConfig, parseTarget } from '../src/sinks/postgres/connection-options.js';
import { readPostgresSinkConfig, type WriteMethod } from '../src/sinks/postgres/postgres-config.js';
import { createPostgresSink } from '../src/sinks/postgres/postgres-sink.js';
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

async function run(method: WriteMethod, url: string, records: readonly SinkRecord[]): Promise<number> {
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
  const started = process.hrtime.bigint();
  for (let at = 0; at < records.length; at += BATCH_RECORDS) {
    const outcome = await sink.write(records.slice(at, at + BATCH_RECORDS), AbortSignal.timeout(120_000));
    if (outcome.status !== 'success') throw new Error(`${method} batch at ${at}: ${outcome.status} ${'error' in outcome ? outcome.error?.message : ''}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await sink.close?.();
  return records.length / seconds;
}

const server = await startPostgresServer();
try {
  const records = makeRecords(EVENTS);
  const bytes = records.reduce((sum, r) => sum + r.json.length, 0);
  console.log(`${EVENTS} events, ${Math.round(bytes / EVENTS)} B JSON each, batches of ${BATCH_RECORDS}`);
  const insert = await run('insert', await server.createDatabase('bench_insert'), records);
  console.log(`multi-row INSERT ... ON CONFLICT DO NOTHING: ${Math.round(insert)} rows/s`);
  const copy = await run('copy', await server.createDatabase('bench_copy'), records);
  console.log(`COPY + INSERT ... SELECT ... ON CONFLICT DO NOTHING: ${Math.round(copy)} rows/s`);
  console.log(JSON.stringify({ bench: 'postgres', value: Math.round(copy), unit: 'rows/s', baseline: Math.round(insert), ratio: Number((copy / insert).toFixed(2)) }));
} finally {
  await server.stop();
}
