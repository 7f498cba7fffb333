// Backfill and redrive over a Parquet lake: rows read back through DuckDB are the events as
// received (typed columns, `extra` and `invalid` put back, timestamps ISO again), so after a
// schema fix the refused events land in clean once and a second run sends nothing.
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor, type CollectorProcess } from '../support/collector-process.js';
import { cartViewed } from '../ingest/ingest-harness.js';
import { cli, schemaApplies, sendEvents, setSchema, startWithBuggySchema, wish, type BuggyCollector } from './reprocess-harness.js';

let collector: CollectorProcess;
let schemas: string;

/** id → rows in `zone` of the Parquet lake, read with DuckDB. */
async function idsIn(zone: 'clean' | 'failed'): Promise<Map<string, number>> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const glob = join(collector.lakeDir, zone, '**', '*.parquet');
    const column = zone === 'clean' ? 'id' : "json_extract_string(item, '$.id')";
    const reader = await connection.runAndReadAll(`SELECT ${column} AS id, count(*)::INTEGER AS n FROM read_parquet('${glob}', union_by_name = true) GROUP BY ALL`).catch(() => undefined);
    return new Map((reader?.getRowObjectsJson() ?? []).map((r) => [String(r.id), Number(r.n)]));
  } finally {
    connection.closeSync();
  }
}

let buggy: BuggyCollector;
beforeAll(async () => {
  buggy = await startWithBuggySchema((dir) => ({ sinks: [{ type: 'lake', name: 'lake', format: 'parquet', schemasDir: dir, limits: { lingerMs: 200 } }] }));
  ({ collector, schemas } = buggy);
});
afterAll(() => buggy?.cleanup());

it('backfills and redrives a Parquet lake after a schema fix, once', async () => {
  // Ill-typed and unknown values too: they come back from `invalid` and `extra`.
  const refused = Array.from({ length: 8 }, (_, i) => wish(i, { note: `n${i}`, count: i % 2 === 0 ? 'two' : 2 }));
  const fine = [cartViewed(), cartViewed()];
  await sendEvents(collector, [...refused, ...fine]);
  await waitFor(async () => (await idsIn('failed')).size >= 8 && (await idsIn('clean')).size >= 2, 20_000, 'the first ingest in the Parquet lake');

  await setSchema(schemas, []);
  await schemaApplies(collector, false);
  const dry = await cli(collector, ['redrive', '--dry-run']);
  expect(dry).toMatchObject({ sent: 8, passed: 8, failed: 0, notRedrivable: 0 });
  const run = await cli(collector, ['redrive', '--collector', collector.url]);
  expect(run).toMatchObject({ sent: 8, passed: 8, failed: 0 });
  await waitFor(async () => {
    const clean = await idsIn('clean');
    return refused.every((e) => clean.has(e.id));
  }, 20_000, 'the redriven events in clean');

  const hour = new Date().toISOString().slice(0, 10);
  const backfill = await cli(collector, ['backfill', '--zone', 'raw', '--from', hour, '--to', hour, '--collector', collector.url]);
  expect(backfill).toMatchObject({ sent: 0, failed: 0 });
  expect(backfill.alreadyClean).toBe(backfill.rows);
  const again = await cli(collector, ['redrive', '--collector', collector.url]);
  expect(again).toMatchObject({ sent: 0, alreadyClean: 8 });
  await new Promise((r) => setTimeout(r, 800));
  const clean = await idsIn('clean');
  for (const event of [...refused, ...fine]) expect(clean.get(event.id)).toBe(1);

  // What was sent again is the event as received: its unknown fields and its event time.
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const rows = (await connection.runAndReadAll(`SELECT id, json_extract(extra, '$.properties') AS props, strftime("timestamp", '%Y-%m-%dT%H:%M:%S.%gZ') AS ts FROM read_parquet('${join(collector.lakeDir, 'clean', '**', '*.parquet')}', union_by_name = true)`)).getRowObjectsJson();
  connection.closeSync();
  const byId = new Map(rows.map((r) => [String(r.id), r]));
  for (const [i, event] of refused.entries()) {
    expect(JSON.parse(String(byId.get(event.id)!.props))).toEqual({ note: `n${i}`, count: i % 2 === 0 ? 'two' : 2 });
    expect(byId.get(event.id)!.ts).toBe(event.timestamp);
  }
});
