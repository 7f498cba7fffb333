import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createFirehoseSink } from '../../collector/src/sinks/aws/firehose/firehose-sink.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../support/kinesalite.js';
import { startS3rver, type S3rverServer } from '../support/s3rver.js';
import { startFirehoseServer, type FirehoseServer } from '../support/firehose-server.js';
import { driveSink } from './drive-sink.js';
import { getObject, listKeys } from './s3-read.js';
import { sampleRecords } from './sample-records.js';

let s3: S3rverServer;
const servers: FirehoseServer[] = [];
const clients: FirehoseClient[] = [];
const log = () => undefined;

async function firehose(bucket: string, failFraction = 0): Promise<{ server: FirehoseServer; client: FirehoseClient }> {
  await s3.createBucket(bucket);
  const server = await startFirehoseServer({ s3: s3.client(), bucket, deliveryStreams: ['events'], prefix: 'firehose/', bufferBytes: 1024 * 1024, bufferMs: 100, failFraction });
  const client = new FirehoseClient({ endpoint: server.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
  servers.push(server);
  clients.push(client);
  return { server, client };
}

async function deliveredIds(bucket: string): Promise<{ keys: string[]; ids: string[] }> {
  const keys = await listKeys(s3.client(), bucket);
  const ids: string[] = [];
  for (const key of keys) {
    const text = (await getObject(s3.client(), bucket, key)).toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.slice(0, -1).split('\n')) ids.push((JSON.parse(line) as { id: string }).id);
  }
  return { keys, ids };
}

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  for (const server of servers) await server.stop();
  await s3?.stop();
});

describe('Firehose sink against the Firehose stand-in, delivering to s3rver', () => {
  it('writes 20,000 events with PutRecordBatch; they land in S3 as NDJSON, each exactly once', async () => {
    const { server, client } = await firehose('firehose-plain');
    const described = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'events' }));
    expect(described.DeliveryStreamDescription?.DeliveryStreamStatus).toBe('ACTIVE');
    const records = sampleRecords({ count: 20_000 });
    const sink = createFirehoseSink({ client, deliveryStreamName: 'events', log });
    expect(sink.limits).toMatchObject({ recordsMax: 500, recordBytesMax: 1_000 * 1024 - 1 });
    const report = await driveSink(sink, records);
    expect(report).toMatchObject({ batches: 40, resent: 0 });
    expect(sink.counters).toMatchObject({ recordsWritten: 20_000, calls: 40, recordsRetried: 0 });
    await server.flush();

    const { keys, ids } = await deliveredIds('firehose-plain');
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) expect(key).toMatch(/^firehose\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/events-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}$/);
    expect(ids).toHaveLength(20_000);
    expect(new Set(ids)).toEqual(new Set(records.map((r) => r.eventId)));
  });

  it('entries failed with ServiceUnavailableException are the only ones resent; none lost, none twice', async () => {
    const { server, client } = await firehose('firehose-failing', 0.2);
    const records = sampleRecords({ count: 5_000 });
    const sink = createFirehoseSink({ client, deliveryStreamName: 'events', log });
    const report = await driveSink(sink, records, { backoffMs: 1 });
    await server.flush();
    expect(server.failedEntries()).toBeGreaterThan(500);
    expect(report.resent).toBe(server.failedEntries());
    expect(sink.counters).toMatchObject({ recordsWritten: 5_000, recordsRetried: server.failedEntries(), entriesThrottled: server.failedEntries() });
    const { ids } = await deliveredIds('firehose-failing');
    expect(ids).toHaveLength(5_000);
    expect(new Set(ids)).toEqual(new Set(records.map((r) => r.eventId)));
  });

  it('an unknown delivery stream is retryable with the service message, and the server still takes a good write after', async () => {
    const { server, client } = await firehose('firehose-bad');
    const [good] = sampleRecords({ count: 1 });
    const missing = createFirehoseSink({ client, deliveryStreamName: 'nope', log });
    const outcome = await missing.write([good!], new AbortController().signal);
    expect(outcome.status).toBe('retryable');
    if (outcome.status === 'retryable') {
      expect(outcome.error?.name).toBe('ResourceNotFoundException');
      expect(outcome.error?.message).toBe('Firehose nope not found under account 000000000000.');
    }
    expect(missing.counters).toMatchObject({ callErrors: 1, recordsWritten: 0, recordsRetried: 1 });

    const oversize = { ...good!, json: JSON.stringify({ id: 'big', pad: 'x'.repeat(1_100 * 1024) }) };
    const refused = await createFirehoseSink({ client, deliveryStreamName: 'events', log }).write([oversize], new AbortController().signal);
    expect(refused.status).toBe('failure');
    if (refused.status === 'failure') {
      expect(refused.error.name).toBe('InvalidArgumentException');
      expect(refused.error.message).toMatch(/^Record 0 is \d+ bytes, over 1024000\.$/);
    }

    const sink = createFirehoseSink({ client, deliveryStreamName: 'events', log });
    expect(await sink.write([good!], new AbortController().signal)).toEqual({ status: 'success' });
    await server.flush();
    expect((await deliveredIds('firehose-bad')).ids).toEqual([good!.eventId]);
  });
});
