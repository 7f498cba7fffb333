import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createKinesisSink } from '../../collector/src/sinks/aws/kinesis/kinesis-sink.js';
import { startKinesalite, LOCAL_CREDENTIALS, LOCAL_REGION, type KinesaliteServer } from '../support/kinesalite.js';
import { driveSink } from './drive-sink.js';
import { readWholeStream } from './kinesis-read.js';
import { sampleRecords } from './sample-records.js';
import { startThrottlingProxy, type ThrottlingProxy } from './throttling-proxy.js';
import { seededRandom } from '../support/seeded-random.js';

const random = seededRandom('kinesis throttled entries');

const require = createRequire(import.meta.url);
const agg = require('aws-kinesis-agg') as {
  deaggregateSync(record: { data: string; partitionKey: string; sequenceNumber: string }, checksums: boolean, done: (err: Error | null, users?: { partitionKey: string; data: string }[]) => void): void;
};

const SHARDS = 4;
const EVENTS = 50_000;
let kinesalite: KinesaliteServer;
let proxy: ThrottlingProxy | undefined;
const logs: { event: string; fields: Readonly<Record<string, unknown>> }[] = [];
const log = (event: string, fields: Readonly<Record<string, unknown>>) => logs.push({ event, fields });

beforeAll(async () => {
  kinesalite = await startKinesalite();
});
afterAll(async () => {
  await proxy?.stop();
  await kinesalite?.stop();
});

function idOf(json: string): string {
  return (JSON.parse(json) as { id: string }).id;
}

function expectEachOnce(expected: readonly string[], seen: readonly string[]): void {
  expect(seen).toHaveLength(expected.length);
  expect(new Set(seen).size).toBe(seen.length);
  expect(new Set(seen)).toEqual(new Set(expected));
}

describe('Kinesis sink against kinesalite', () => {
  it('writes 50,000 events with PutRecords; read back over all shards, each is present exactly once, keyed by event id', async () => {
    await kinesalite.createStream('plain', SHARDS);
    const records = sampleRecords({ count: EVENTS });
    const sink = createKinesisSink({ client: kinesalite.client(), streamName: 'plain', log });
    expect(sink.limits).toMatchObject({ recordsMax: 500 });
    const report = await driveSink(sink, records);
    expect(report).toMatchObject({ batches: 100, writes: 100, resent: 0 });
    expect(sink.counters).toMatchObject({ recordsWritten: EVENTS, calls: 100, recordsRetried: 0, callErrors: 0 });

    const read = await readWholeStream(kinesalite.client(), 'plain');
    const seen = read.map(({ record }) => Buffer.from(record.Data!).toString('utf8'));
    expectEachOnce(records.map((r) => r.eventId!), seen.map(idOf));
    for (const { record } of read.slice(0, 100)) expect(record.PartitionKey).toBe(idOf(Buffer.from(record.Data!).toString('utf8')));
    // Event ids spread over every shard.
    expect(new Set(read.map(({ shardId }) => shardId)).size).toBe(SHARDS);
  });

  it('aggregates KPL-style: 50,000 events in far fewer records and calls, deaggregated by aws-kinesis-agg exactly once each', async () => {
    await kinesalite.createStream('aggregated', SHARDS);
    const records = sampleRecords({ count: EVENTS });
    const sink = createKinesisSink({ client: kinesalite.client(), streamName: 'aggregated', aggregation: true, log });
    await driveSink(sink, records);
    expect(sink.counters.recordsWritten).toBe(EVENTS);
    expect(sink.counters.calls).toBeLessThanOrEqual(10);

    const read = await readWholeStream(kinesalite.client(), 'aggregated');
    expect(read.length).toBeLessThan(100);
    const seen: string[] = [];
    for (const { record } of read) {
      agg.deaggregateSync({ data: Buffer.from(record.Data!).toString('base64'), partitionKey: record.PartitionKey!, sequenceNumber: record.SequenceNumber! }, true, (err, users) => {
        if (err) throw err;
        for (const user of users ?? []) {
          const id = idOf(Buffer.from(user.data, 'base64').toString('utf8'));
          expect(user.partitionKey).toBe(id);
          seen.push(id);
        }
      });
    }
    expectEachOnce(records.map((r) => r.eventId!), seen);
  });

  it('keys by session id (one session on one shard) and falls back to the event id when the user is unknown', async () => {
    await kinesalite.createStream('by-session', SHARDS);
    await kinesalite.createStream('by-user', 2);
    const records = sampleRecords({ count: 3_000, sessions: 50 });
    await driveSink(createKinesisSink({ client: kinesalite.client(), streamName: 'by-session', partitionKey: 'sessionId', log }), records);
    const bySession = await readWholeStream(kinesalite.client(), 'by-session');
    expect(bySession).toHaveLength(3_000);
    const shardOfSession = new Map<string, Set<string>>();
    for (const { shardId, record } of bySession) {
      const event = JSON.parse(Buffer.from(record.Data!).toString('utf8')) as { sessionId: string };
      expect(record.PartitionKey).toBe(event.sessionId);
      shardOfSession.set(event.sessionId, (shardOfSession.get(event.sessionId) ?? new Set()).add(shardId));
    }
    expect(shardOfSession.size).toBe(50);
    for (const shards of shardOfSession.values()) expect(shards.size).toBe(1);

    await driveSink(createKinesisSink({ client: kinesalite.client(), streamName: 'by-user', partitionKey: 'userId', log }), records);
    for (const { record } of await readWholeStream(kinesalite.client(), 'by-user')) {
      const event = JSON.parse(Buffer.from(record.Data!).toString('utf8')) as { id: string; userId?: string };
      expect(record.PartitionKey).toBe(event.userId ?? event.id);
    }
  });

  it('aggregated and keyed by session: every session keeps one shard and its order across many writes', async () => {
    await kinesalite.createStream('agg-by-session', SHARDS);
    const records = sampleRecords({ count: 6_000, sessions: 300 });
    // Small writes (300 events each), so every session spans many writes and aggregated records.
    const sink = createKinesisSink({ client: kinesalite.client(), streamName: 'agg-by-session', aggregation: true, partitionKey: 'sessionId', limits: { recordsMax: 300 }, log });
    const report = await driveSink(sink, records);
    expect(report.writes).toBe(20);
    const positionOf = new Map(records.map((r, i) => [r.eventId!, i]));
    const shardsOfSession = new Map<string, Set<string>>();
    const lastPosition = new Map<string, number>();
    let count = 0;
    for (const { shardId, record } of await readWholeStream(kinesalite.client(), 'agg-by-session')) {
      agg.deaggregateSync({ data: Buffer.from(record.Data!).toString('base64'), partitionKey: record.PartitionKey!, sequenceNumber: record.SequenceNumber! }, true, (err, users) => {
        if (err) throw err;
        for (const user of users ?? []) {
          const event = JSON.parse(Buffer.from(user.data, 'base64').toString('utf8')) as { id: string; sessionId: string };
          expect(user.partitionKey).toBe(event.sessionId);
          shardsOfSession.set(event.sessionId, (shardsOfSession.get(event.sessionId) ?? new Set()).add(shardId));
          const position = positionOf.get(event.id)!;
          expect(position).toBeGreaterThan(lastPosition.get(event.sessionId) ?? -1);
          lastPosition.set(event.sessionId, position);
          count++;
        }
      });
    }
    expect(count).toBe(6_000);
    expect(shardsOfSession.size).toBe(300);
    for (const shards of shardsOfSession.values()) expect(shards.size).toBe(1);
    expect(new Set([...shardsOfSession.values()].flatMap((shards) => [...shards])).size).toBe(SHARDS);
  });

  it('a missing stream is retryable with the service message; kinesalite still serves and a good write right after lands', async () => {
    await kinesalite.createStream('after-error', 1);
    const [good] = sampleRecords({ count: 1 });
    const missing = createKinesisSink({ client: kinesalite.client(), streamName: 'no-such-stream', log });
    const outcome = await missing.write([good!], new AbortController().signal);
    expect(outcome.status).toBe('retryable');
    if (outcome.status === 'retryable') {
      expect(outcome.error?.name).toBe('ResourceNotFoundException');
      expect(outcome.error?.message).toMatch(/^Stream no-such-stream under account \d+ not found\.$/);
    }
    expect(missing.counters).toMatchObject({ callErrors: 1, recordsWritten: 0, recordsRetried: 1 });
    const sink = createKinesisSink({ client: kinesalite.client(), streamName: 'after-error', log });
    expect(await sink.write([good!], new AbortController().signal)).toEqual({ status: 'success' });
    const read = await readWholeStream(kinesalite.client(), 'after-error');
    expect(read.map(({ record }) => idOf(Buffer.from(record.Data!).toString('utf8')))).toEqual([good!.eventId]);
  });

  it('throttled entries (ProvisionedThroughputExceededException) are the only ones resent; nothing lost, nothing twice; logged once per interval', async () => {
    await kinesalite.createStream('throttled', SHARDS);
    proxy = await startThrottlingProxy(kinesalite.endpoint, () => random() < 0.1);
    const client = new KinesisClient({ endpoint: proxy.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
    const records = sampleRecords({ count: 8_000 });
    logs.length = 0;
    const sink = createKinesisSink({ client, streamName: 'throttled', log, logIntervalMs: 60_000 });
    const report = await driveSink(sink, records, { backoffMs: 1 });
    client.destroy();

    expect(proxy.injected()).toBeGreaterThan(400);
    expect(report.resent).toBe(proxy.injected());
    expect(sink.counters).toMatchObject({ recordsWritten: 8_000, recordsRetried: proxy.injected(), entriesThrottled: proxy.injected(), callErrors: 0 });
    const throttleLines = logs.filter((line) => line.event === 'KinesisPutThrottled');
    expect(throttleLines).toHaveLength(1);
    expect(throttleLines[0]!.fields).toMatchObject({ stream: 'throttled', code: 'ProvisionedThroughputExceededException' });

    const read = await readWholeStream(kinesalite.client(), 'throttled');
    expectEachOnce(records.map((r) => r.eventId!), read.map(({ record }) => idOf(Buffer.from(record.Data!).toString('utf8'))));
  });

  it('throttled aggregated records resend the user records they held; each deaggregated exactly once', async () => {
    await kinesalite.createStream('throttled-agg', 2);
    let entry = 0;
    // Every third aggregated record is throttled: deterministic, and a retry lands on a different position.
    const throttledProxy = await startThrottlingProxy(kinesalite.endpoint, () => entry++ % 3 === 0);
    const client = new KinesisClient({ endpoint: throttledProxy.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
    const records = sampleRecords({ count: 10_000 });
    const sink = createKinesisSink({ client, streamName: 'throttled-agg', aggregation: true, log });
    const report = await driveSink(sink, records, { backoffMs: 1 });
    client.destroy();
    await throttledProxy.stop();
    expect(throttledProxy.injected()).toBeGreaterThan(0);
    expect(report.resent).toBe(sink.counters.recordsRetried);
    expect(report.resent).toBeGreaterThan(0);
    const seen: string[] = [];
    for (const { record } of await readWholeStream(kinesalite.client(), 'throttled-agg')) {
      agg.deaggregateSync({ data: Buffer.from(record.Data!).toString('base64'), partitionKey: record.PartitionKey!, sequenceNumber: record.SequenceNumber! }, true, (err, users) => {
        if (err) throw err;
        for (const user of users ?? []) seen.push(idOf(Buffer.from(user.data, 'base64').toString('utf8')));
      });
    }
    expectEachOnce(records.map((r) => r.eventId!), seen);
  });
});
