// Issue 14, points 2 and 3: after a schema fix, `backfill` (raw zone) and `redrive` (failed zone)
// send the events the old schema refused through the current chain of a running collector:
// each lands in clean once, a second run adds nothing, and `--dry-run` predicts the counts.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventEnvelope } from '@shopstream/shared';
import { COLLECTOR_CLI, readLake, type CollectorProcess } from '../support/collector-process.js';
import { cartViewed, waitInLake } from '../ingest/ingest-harness.js';
import { cli as runCli, startWithBuggySchema, type BuggyCollector, schemaApplies as schemaAppliesOn, sendEvents, setSchema as setSchemaIn, wish } from './reprocess-harness.js';

let collector: CollectorProcess;
let schemas: string;
const setSchema = (required: string[]) => setSchemaIn(schemas, required);
const schemaApplies = (required: boolean) => schemaAppliesOn(collector, required);
const cli = (args: string[]) => runCli(collector, args);
const sendRefused = (events: readonly EventEnvelope[]) => sendEvents(collector, events);

const hour = (offsetH: number) => {
  const iso = new Date(Date.now() + offsetH * 3_600_000).toISOString();
  return `${iso.slice(0, 10)}/${iso.slice(11, 13)}`;
};

async function cleanCounts(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { value } of await readLake(collector.lakeDir, 'clean')) counts.set(String(value.id), (counts.get(String(value.id)) ?? 0) + 1);
  return counts;
}

let buggy: BuggyCollector;
beforeAll(async () => {
  buggy = await startWithBuggySchema();
  ({ collector, schemas } = buggy);
});
afterAll(() => buggy?.cleanup());

it('backfill: raw events refused by the old schema land in clean once after the fix; a second run adds nothing', async () => {
  const refused = Array.from({ length: 20 }, (_, i) => wish(i));
  const fine = Array.from({ length: 5 }, () => cartViewed());
  await sendRefused([...refused, ...fine]);
  await waitInLake(collector.lakeDir, 'failed', refused.map((e) => e.id), 'the refused events');
  await waitInLake(collector.lakeDir, 'clean', fine.map((e) => e.id), 'the valid events');
  const rawIp = new Map((await readLake(collector.lakeDir, 'raw')).map(({ value }) => [value.id, (value.context as { ip?: string } | undefined)?.ip]));

  await setSchema([]);
  await schemaApplies(false);
  const range = ['--from', hour(-1), '--to', hour(1)];
  const dry = await cli(['backfill', '--zone', 'raw', ...range, '--dry-run']);
  expect(dry).toMatchObject({ sent: 20, passed: 20, failed: 0, alreadyClean: 5, duplicate: 5, notRedrivable: 0 });

  const run = await cli(['backfill', '--zone', 'raw', ...range, '--collector', collector.url]);
  expect(run).toMatchObject({ sent: dry.sent, passed: dry.passed, failed: 0, duplicate: dry.duplicate });
  await waitInLake(collector.lakeDir, 'clean', refused.map((e) => e.id), 'the backfilled events');
  const counts = await cleanCounts();
  for (const event of [...refused, ...fine]) expect(counts.get(event.id)).toBe(1);
  // PII applied once: the clean row's token is the one the raw zone got on the first ingest.
  const refusedIds = new Set(refused.map((e) => e.id));
  for (const { value } of await readLake(collector.lakeDir, 'clean')) {
    if (!refusedIds.has(String(value.id))) continue;
    const ip = (value.context as { ip?: string }).ip;
    expect(ip).toMatch(/^p1_/);
    expect(ip).toBe(rawIp.get(value.id));
  }

  const again = await cli(['backfill', '--zone', 'raw', ...range, '--collector', collector.url]);
  // Every raw row (the first ingest's 25 and the 20 re-ingested) is already in clean.
  expect(again).toMatchObject({ sent: 0, passed: 0, duplicate: again.rows, alreadyClean: again.rows });
  expect(again.rows).toBeGreaterThanOrEqual(45);
  await new Promise((r) => setTimeout(r, 800)); // longer than the lake's roll (200 ms)
  expect([...(await cleanCounts()).values()].every((n) => n === 1)).toBe(true);
});

it('redrive: failed events pass after the fix, hostile samples are reported as not redrivable, a second run adds nothing', async () => {
  await setSchema(['wishlist_ref']);
  await schemaApplies(true);
  const refused = Array.from({ length: 10 }, (_, i) => wish(100 + i));
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 40; i++) deep = { deep };
  const hostile = cartViewed({ properties: deep });
  await sendRefused([...refused, hostile]);
  await waitInLake(collector.lakeDir, 'failed', [...refused, hostile].map((e) => e.id), 'the refused events');

  const before = await cli(['redrive', '--dry-run']);
  // 20 failed rows from the first test are in clean now; the 10 new ones still fail the old schema.
  expect(before).toMatchObject({ sent: 10, passed: 0, failed: 10, failedByCode: { COLLECTOR_SCHEMA_INVALID: 10 }, alreadyClean: 20, notRedrivable: 1, notRedrivableBy: { sample: 1 } });

  await setSchema([]);
  await schemaApplies(false);
  const dry = await cli(['redrive', '--dry-run']);
  expect(dry).toMatchObject({ sent: 10, passed: 10, failed: 0, alreadyClean: 20, notRedrivable: 1 });
  const run = await cli(['redrive', '--from', hour(-1), '--to', hour(1), '--collector', collector.url]);
  expect(run).toMatchObject({ sent: dry.sent, passed: dry.passed, failed: 0, duplicate: dry.duplicate, notRedrivable: 1 });
  await waitInLake(collector.lakeDir, 'clean', refused.map((e) => e.id), 'the redriven events');
  const counts = await cleanCounts();
  for (const event of refused) expect(counts.get(event.id)).toBe(1);
  expect(counts.has(hostile.id)).toBe(false);

  const again = await cli(['redrive', '--collector', collector.url]);
  expect(again).toMatchObject({ sent: 0, passed: 0, alreadyClean: 30, notRedrivable: 1 });
  // --clean-from bounds the clean ids read: from a later hour on, none of these are known.
  expect(await cli(['redrive', '--dry-run', '--clean-from', hour(2)])).toMatchObject({ sent: 30, alreadyClean: 0 });
  expect(await cli(['redrive', '--dry-run', '--clean-from', hour(-1)])).toMatchObject({ sent: 0, alreadyClean: 30 });
  await new Promise((r) => setTimeout(r, 800));
  expect([...(await cleanCounts()).values()].every((n) => n === 1)).toBe(true);
});

it('refuses bad arguments with exit 2 and a usage line', async () => {
  const run = (args: string[]) => new Promise<{ code: number | null; err: string }>((resolve) => {
    const child = spawn(process.execPath, [COLLECTOR_CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => resolve({ code, err }));
  });
  expect(await run(['backfill', '--from', '2026-12-05/10', '--to', '2026-12-05/11'])).toMatchObject({ code: 2, err: expect.stringContaining('--zone raw is required') });
  expect(await run(['backfill', '--zone', 'raw', '--from', '2026-12-05T10', '--to', '2026-12-05/11'])).toMatchObject({ code: 2, err: expect.stringContaining('--from takes YYYY-MM-DD/HH') });
  expect(await run(['redrive', '--bogus'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown argument "--bogus"') });
  expect(await run(['redrive', '--config', join(collector.dir, 'missing.json')])).toMatchObject({ code: 2 });
  expect(await run(['backfill', '--zone', 'raw', '--from', '2026-12-05', '--to', '2026-12-05', '--dead-letters'])).toMatchObject({ code: 2, err: expect.stringContaining('--dead-letters is for redrive') });
});
