// Issue 14, point 3 with S3 configured: dead letters land in the S3 sink's failed zone
// (`delivery.deadLetterSink`) and are reported as not redrivable, and `redrive --sink s3` reads the
// failed zone from S3 and lands the events a schema fix lets through in S3's clean zone once.
import { gunzipSync } from 'node:zlib';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../support/kinesalite.js';
import { startS3rver, type S3rverServer } from '../support/s3rver.js';
import { waitFor, type CollectorProcess } from '../support/collector-process.js';
import { getObject, listKeys } from '../aws/s3-read.js';
import { cli, schemaApplies, sendEvents, setSchema, startWithBuggySchema, wish, type BuggyCollector } from './reprocess-harness.js';

let s3: S3rverServer;
let collector: CollectorProcess;
let schemas: string;
const AWS_ENV = { AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: LOCAL_REGION, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

async function rowsUnder(prefix: string): Promise<{ key: string; row: Record<string, any> }[]> {
  const out: { key: string; row: Record<string, any> }[] = [];
  for (const key of await listKeys(s3.client(), 'lake', prefix)) {
    for (const line of gunzipSync(await getObject(s3.client(), 'lake', key)).toString('utf8').split('\n')) if (line !== '') out.push({ key, row: JSON.parse(line) });
  }
  return out;
}

let buggy: BuggyCollector;
beforeAll(async () => {
  s3 = await startS3rver();
  await s3.createBucket('lake');
  buggy = await startWithBuggySchema(() => ({
    delivery: { deadLetterSink: 's3' },
    sinks: [
      { type: 's3', name: 's3', bucket: 'lake', prefix: 'lake', endpoint: s3.endpoint, region: LOCAL_REGION, rollAgeMs: 200 },
      // Refuses every record over 600 bytes: those are dead-lettered.
      { type: 's3', name: 'strict', bucket: 'lake', prefix: 'strict', endpoint: s3.endpoint, region: LOCAL_REGION, rollAgeMs: 200, limits: { recordBytesMax: 600 } },
    ],
  }), AWS_ENV);
  ({ collector, schemas } = buggy);
});
afterAll(async () => {
  await buggy?.cleanup();
  await s3?.stop();
});

it('keeps dead letters in S3 and redrives refused events from the S3 failed zone once', async () => {
  const refused = Array.from({ length: 6 }, (_, i) => wish(i));
  const large = wish(99, { note: 'x'.repeat(800) }); // refused by the schema and too large for sink "strict"
  await sendEvents(collector, [...refused, large]);

  // The S3 copy of the dead letter: sink, code and the record, in the S3 sink's failed zone.
  await waitFor(async () => (await rowsUnder('lake/failed/')).some(({ row }) => row.deadLetter?.sink === 'strict'), 20_000, 'the dead letter in S3');
  const deadLetters = (await rowsUnder('lake/failed/')).filter(({ row }) => row.deadLetter);
  expect(deadLetters.every(({ key }) => /dlq-strict-[^/]*\.ndjson\.gz$/.test(key))).toBe(true);
  expect(deadLetters.map(({ row }) => row.deadLetter.code)).toContain('COLLECTOR_RECORD_TOO_LARGE');
  expect(deadLetters.some(({ row }) => JSON.stringify(row.record).includes(large.id))).toBe(true);
  await waitFor(async () => (await rowsUnder('lake/failed/')).filter(({ row }) => row.item?.id).length >= 7, 20_000, 'the refused events in S3');

  await setSchema(schemas, []);
  await schemaApplies(collector, false);
  const dry = await cli(collector, ['redrive', '--sink', 's3', '--dry-run'], AWS_ENV);
  expect(dry).toMatchObject({ sent: 7, passed: 7, failed: 0, alreadyClean: 0 });
  expect(dry.notRedrivableBy['dead-letter']).toBe(deadLetters.length);

  const run = await cli(collector, ['redrive', '--sink', 's3', '--collector', collector.url], AWS_ENV);
  expect(run).toMatchObject({ sent: 7, passed: 7, failed: 0 });
  const ids = [...refused, large].map((e) => e.id);
  await waitFor(async () => {
    const clean = new Set((await rowsUnder('lake/clean/')).map(({ row }) => row.id));
    return ids.every((id) => clean.has(id));
  }, 20_000, 'the redriven events in the S3 clean zone');

  const again = await cli(collector, ['redrive', '--sink', 's3', '--collector', collector.url], AWS_ENV);
  expect(again).toMatchObject({ sent: 0, alreadyClean: 7 });
  await new Promise((r) => setTimeout(r, 1000));
  const counts = new Map<string, number>();
  for (const { row } of await rowsUnder('lake/clean/')) counts.set(row.id, (counts.get(row.id) ?? 0) + 1);
  for (const id of ids) expect(counts.get(id)).toBe(1);
});

it('redrive --dead-letters resends what a sink refused to that sink once its config is fixed; a second run sends nothing', async () => {
  // The fix: sink "strict" now takes records of any size (the collector itself keeps running).
  const config = JSON.parse(await readFile(join(collector.dir, 'collector.json'), 'utf8')) as { sinks: { name: string; limits?: object }[] };
  config.sinks = config.sinks.map((sink) => (sink.name === 'strict' ? { ...sink, limits: {} } : sink));
  const fixed = join(collector.dir, 'fixed.json');
  await writeFile(fixed, JSON.stringify(config));
  type DeadLetterReport = { files: number; filesSkippedAsDone: number; records: number; resent: number; refusedByCode: Record<string, number>; retryable: number };
  const large = (await rowsUnder('lake/failed/')).filter(({ row }) => row.deadLetter?.sink === 'strict');
  expect(large.length).toBeGreaterThan(0);

  const stillRefused = await cli<DeadLetterReport>(collector, ['redrive', '--dead-letters', '--sink', 's3'], AWS_ENV);
  expect(stillRefused).toMatchObject({ resent: 0, refusedByCode: { COLLECTOR_RECORD_TOO_LARGE: large.length } });
  const run = await cli<DeadLetterReport>(collector, ['redrive', '--dead-letters', '--sink', 's3'], AWS_ENV, fixed);
  expect(run).toMatchObject({ records: large.length, resent: large.length, retryable: 0, refusedByCode: {} });
  const strictRows = (await rowsUnder('strict/')).map(({ row }) => JSON.stringify(row));
  const ids = large.map(({ row }) => String(row.record.id ?? row.record.item?.id));
  for (const id of ids) expect(strictRows.some((line) => line.includes(id))).toBe(true);

  const again = await cli<DeadLetterReport>(collector, ['redrive', '--dead-letters', '--sink', 's3'], AWS_ENV, fixed);
  expect(again).toMatchObject({ files: 0, resent: 0, filesSkippedAsDone: run.files });
});
