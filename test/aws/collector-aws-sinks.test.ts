/**
 * The AWS sinks inside a REAL collector process, configured from its config file: events posted
 * to /v1/batch reach kinesalite (KPL-aggregated), the Firehose stand-in (→ s3rver) and S3 as
 * Parquet, each exactly once; the S3 sink rolls files by age (rollAgeMs), far below rollBytes.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// hyparquet reads Snappy pages without add-ons, so this sink writes Snappy (the default is ZSTD).
import { parquetReadObjects } from 'hyparquet';
import { COLLECTOR_CLI, ensureCollectorBuilt, startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';
import { startKinesalite, LOCAL_CREDENTIALS, LOCAL_REGION, type KinesaliteServer } from '../support/kinesalite.js';
import { startS3rver, type S3rverServer } from '../support/s3rver.js';
import { startFirehoseServer, type FirehoseServer } from '../support/firehose-server.js';
import { frameOf, makeEvents, postFrame } from '../collector/helpers/batch-sender.js';
import { readWholeStream } from './kinesis-read.js';
import { getObject, listKeys } from './s3-read.js';

const require = createRequire(import.meta.url);
const agg = require('aws-kinesis-agg') as {
  deaggregateSync(record: { data: string; partitionKey: string; sequenceNumber: string }, checksums: boolean, done: (err: Error | null, users?: { data: string }[]) => void): void;
};

const ROLL_AGE_MS = 1_500;
let kinesalite: KinesaliteServer;
let s3: S3rverServer;
let firehose: FirehoseServer;
let collector: CollectorProcess;

/** A dist built before the AWS sinks and their metrics were wired in would fail this test: rebuild it then. */
function ensureDistHasAwsSinks(): void {
  ensureCollectorBuilt();
  const dist = readdirSync(dirname(COLLECTOR_CLI)).filter((name) => name.endsWith('.js')).map((name) => readFileSync(join(dirname(COLLECTOR_CLI), name), 'utf8')).join('\n');
  if (dist.includes('deliveryStreamName') && dist.includes('shopstream_sink_api_calls_total')) return;
  const built = spawnSync('npx', ['tsup'], { cwd: fileURLToPath(new URL('../../collector/', import.meta.url)), stdio: 'inherit' });
  if (built.status !== 0) throw new Error('building the collector failed (cd collector && npx tsup)');
}

async function kinesisIds(): Promise<string[]> {
  const ids: string[] = [];
  for (const { record } of await readWholeStream(kinesalite.client(), 'events')) {
    agg.deaggregateSync({ data: Buffer.from(record.Data!).toString('base64'), partitionKey: record.PartitionKey!, sequenceNumber: record.SequenceNumber! }, true, (err, users) => {
      if (err) throw err;
      for (const user of users ?? []) ids.push((JSON.parse(Buffer.from(user.data, 'base64').toString('utf8')) as { id: string }).id);
    });
  }
  return ids;
}

async function firehoseIds(): Promise<string[]> {
  const ids: string[] = [];
  for (const key of await listKeys(s3.client(), 'hose')) {
    const text = (await getObject(s3.client(), 'hose', key)).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') ids.push((JSON.parse(line) as { id: string }).id);
  }
  return ids;
}

async function s3CleanRows(): Promise<{ keys: string[]; ids: string[] }> {
  const keys = await listKeys(s3.client(), 'lake', 'lake/clean/');
  const ids: string[] = [];
  for (const key of keys) {
    const bytes = await getObject(s3.client(), 'lake', key);
    const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, columns: ['id'] });
    ids.push(...rows.map((row) => row.id as string));
  }
  return { keys, ids };
}

async function post(events: ReturnType<typeof makeEvents>): Promise<void> {
  const answer = await postFrame(collector.url, await frameOf(events));
  expect(answer.status).toBe(200);
  await answer.arrayBuffer();
}

beforeAll(async () => {
  ensureDistHasAwsSinks();
  kinesalite = await startKinesalite();
  await kinesalite.createStream('events', 2);
  s3 = await startS3rver();
  await s3.createBucket('lake');
  await s3.createBucket('hose');
  firehose = await startFirehoseServer({ s3: s3.client(), bucket: 'hose', deliveryStreams: ['events'], bufferMs: 100 });
  const aws = { region: LOCAL_REGION };
  collector = await startCollectorProcess({
    config: {
      sinks: [
        { type: 'lake', name: 'lake', limits: { lingerMs: 50 } },
        { type: 'kinesis', name: 'stream', streamName: 'events', endpoint: kinesalite.endpoint, aggregation: true, ...aws, limits: { lingerMs: 100 } },
        { type: 'firehose', name: 'hose', deliveryStreamName: 'events', endpoint: firehose.endpoint, ...aws, limits: { lingerMs: 100 } },
        { type: 's3', name: 's3', bucket: 'lake', prefix: 'lake', format: 'parquet', parquetCompression: 'snappy', endpoint: s3.endpoint, rollAgeMs: ROLL_AGE_MS, ...aws },
      ],
    },
    env: { AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: LOCAL_REGION, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
});

afterAll(async () => {
  await collector?.cleanup();
  await firehose?.stop();
  await s3?.stop();
  await kinesalite?.stop();
});

describe('AWS sinks in a running collector', () => {
  it('delivers posted events to Kinesis, Firehose and S3 exactly once, and S3 files roll by age', async () => {
    const first = Array.from({ length: 10 }, () => makeEvents(100));
    for (const events of first) await post(events);
    const firstIds = first.flat().map((e) => e.id);

    await waitFor(async () => (await s3CleanRows()).ids.length >= 1_000, 30_000, 'the first S3 files (roll age)');
    const afterFirst = await s3CleanRows();
    // 1,000 events are far below the 64 MiB roll size: only the age rolled these files.
    expect(afterFirst.ids.sort()).toEqual([...firstIds].sort());

    const second = Array.from({ length: 5 }, () => makeEvents(100, 'Order Completed'));
    for (const events of second) await post(events);
    const allIds = [...firstIds, ...second.flat().map((e) => e.id)].sort();

    await waitFor(async () => (await s3CleanRows()).ids.length >= 1_500, 30_000, 'the second S3 files');
    const afterSecond = await s3CleanRows();
    expect(afterSecond.ids.sort()).toEqual(allIds);
    expect(afterSecond.keys.length).toBeGreaterThan(afterFirst.keys.length);
    for (const key of afterFirst.keys) expect(afterSecond.keys).toContain(key);
    for (const key of afterSecond.keys) expect(key).toMatch(/^lake\/clean\/source=dev\/event_type=(product_viewed|order_completed)\/dt=\d{4}-\d{2}-\d{2}\/hr=\d{2}\/[0-9a-f-]{36}-\d{16}_\d{6}-\d{16}_\d{6}\.parquet$/); // <nodeId>-<first>-<last>

    await waitFor(async () => (await kinesisIds()).length >= 1_500, 30_000, '1,500 events in Kinesis');
    await waitFor(async () => {
      await firehose.flush();
      return (await firehoseIds()).length >= 1_500;
    }, 30_000, '1,500 events through Firehose');
    await new Promise((resolve) => setTimeout(resolve, 500)); // anything sent twice would show up now
    await firehose.flush();
    expect((await kinesisIds()).sort()).toEqual(allIds);
    expect((await firehoseIds()).sort()).toEqual(allIds);
    const status = (await (await fetch(`${collector.url}/v1/status`)).json()) as { sinks: { sink: string; lagRecords: number }[] };
    expect(status.sinks.map((s) => [s.sink, s.lagRecords])).toEqual([['lake', 0], ['stream', 0], ['hose', 0], ['s3', 0]]);

    // The sinks' own counters reach /metrics: aggregation needs few calls; nothing was throttled.
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    const value = (name: string, sink: string) => Number(new RegExp(`^${name}\\{sink="${sink}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
    expect(value('shopstream_sink_api_calls_total', 'stream')).toBeGreaterThan(0);
    expect(value('shopstream_sink_api_calls_total', 'stream')).toBeLessThan(15);
    expect(value('shopstream_sink_api_calls_total', 's3')).toBe((await listKeys(s3.client(), 'lake')).length); // one upload per object, all zones
    expect(value('shopstream_sink_api_bytes_total', 'hose')).toBeGreaterThan(1_500 * 300);
    expect(value('shopstream_sink_entries_throttled_total', 'stream')).toBe(0);
    expect(value('shopstream_sink_records_retried_total', 'hose')).toBe(0);
  });
});
