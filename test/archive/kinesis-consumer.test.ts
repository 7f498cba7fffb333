/**
 * The Kinesis consumer helper (`createKinesisConsumer` from `@shopstream/shared/node`) against
 * kinesalite: the collector's own Kinesis sink writes KPL-aggregated records; duplicates are
 * injected the ways at-least-once delivery makes them (a batch replayed and re-aggregated after a
 * crash, a retried PutRecords of the same aggregate, a plain copy); a corrupt aggregate and a
 * record that is no event are mixed in. Read back shard by shard in Lambda-sized batches, every
 * event comes out exactly once, the duplicates are counted, the bad records are rejected with
 * their code, and AWS's own deaggregator (aws-kinesis-agg) agrees on what the aggregates hold.
 */
import { createRequire } from 'node:module';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createKinesisConsumer, type ConsumedEvent, type KinesisStreamEvent, type RejectCode } from '@shopstream/shared/node';
import type { Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisSink } from '../../collector/src/sinks/aws/kinesis/kinesis-sink.js';
import { driveSink } from '../aws/drive-sink.js';
import { readWholeStream } from '../aws/kinesis-read.js';
import { sampleRecords } from '../aws/sample-records.js';
import { startKinesalite, type KinesaliteServer } from '../support/kinesalite.js';
import { seededRandom } from '../support/seeded-random.js';

const require = createRequire(import.meta.url);
const agg = require('aws-kinesis-agg') as {
  deaggregateSync(record: { data: string; partitionKey: string; sequenceNumber: string }, computeChecksums: boolean, done: (err: Error | null, users?: { data: string }[]) => void): void;
};
const log = { warn: () => undefined, info: () => undefined, error: () => undefined, debug: () => undefined, child: () => log } as unknown as Logger;
const STREAM = 'consumer-helper';
const EVENTS = 5_000;
/** Lambda's default Kinesis batch size. */
const LAMBDA_BATCH = 100;

let kinesalite: KinesaliteServer;
beforeAll(async () => {
  kinesalite = await startKinesalite();
  await kinesalite.createStream(STREAM, 2);
});
afterAll(async () => kinesalite?.stop());

describe('Kinesis consumer helper', () => {
  it('de-aggregates the collector sink\'s KPL records and drops injected duplicates, exactly once per event id', async () => {
    const random = seededRandom('kinesis consumer: duplicates injected');
    const client = kinesalite.client();
    const records = sampleRecords({ count: EVENTS });
    const sink = createKinesisSink({ client, streamName: STREAM, aggregation: true, log });
    await driveSink(sink, records);

    // Duplicates: a replayed slice, re-aggregated differently (as after a crash mid-batch) ...
    const from = Math.floor(random() * (EVENTS - 400));
    const replayed = records.slice(from, from + 100 + Math.floor(random() * 300));
    await driveSink(createKinesisSink({ client, streamName: STREAM, aggregation: true, log }), replayed);
    // ... a retried PutRecords of aggregates already in the stream, and plain copies of single events.
    const written = await readWholeStream(client, STREAM);
    const aggregates = written.filter(({ record }) => Buffer.from(record.Data!).subarray(0, 4).equals(Buffer.from([0xf3, 0x89, 0x9a, 0xc2])));
    const retried = [aggregates[Math.floor(random() * aggregates.length)]!, aggregates[Math.floor(random() * aggregates.length)]!];
    const plainCopies = [records[Math.floor(random() * EVENTS)]!, records[Math.floor(random() * EVENTS)]!];
    const corrupt = Buffer.from(aggregates[0]!.record.Data!);
    corrupt[Math.floor(corrupt.length / 2)]! ^= 0xff;
    await client.send(new PutRecordsCommand({
      StreamName: STREAM,
      Records: [
        ...retried.map(({ record }) => ({ Data: record.Data!, PartitionKey: record.PartitionKey! })),
        ...plainCopies.map((r) => ({ Data: Buffer.from(r.json), PartitionKey: r.eventId! })),
        { Data: corrupt, PartitionKey: 'corrupt' },
        { Data: Buffer.from('not an event'), PartitionKey: 'garbage' },
      ],
    }));

    // What AWS's deaggregator finds in every aggregate, to compare counts with ours.
    const all = await readWholeStream(client, STREAM);
    let awsUserRecords = 0;
    for (const { record } of all) {
      if (Buffer.from(record.Data!).equals(corrupt)) continue;
      agg.deaggregateSync({ data: Buffer.from(record.Data!).toString('base64'), partitionKey: record.PartitionKey!, sequenceNumber: record.SequenceNumber! }, true, (err, users) => {
        if (err) throw err;
        awsUserRecords += users!.length;
      });
    }

    // One consumer for the whole run, as in a warm Lambda; each shard in order, in Lambda-sized batches.
    const consume = createKinesisConsumer();
    const events: ConsumedEvent<Record<string, unknown>>[] = [];
    const rejected: RejectCode[] = [];
    let duplicates = 0;
    let userRecords = 0;
    for (const shardId of [...new Set(all.map((r) => r.shardId))]) {
      const shard = all.filter((r) => r.shardId === shardId);
      for (let i = 0; i < shard.length; i += LAMBDA_BATCH) {
        const lambdaEvent: KinesisStreamEvent = {
          Records: shard.slice(i, i + LAMBDA_BATCH).map(({ record }) => ({
            kinesis: { data: Buffer.from(record.Data!).toString('base64'), partitionKey: record.PartitionKey!, sequenceNumber: record.SequenceNumber! },
          })),
        };
        const result = await consume(lambdaEvent);
        events.push(...result.events);
        rejected.push(...result.rejected.map((r) => r.code));
        duplicates += result.duplicates;
        userRecords += result.userRecords;
      }
    }

    const retriedUsers = retried.reduce((sum, { record }) => sum + countUsers(record.Data!), 0);
    const injected = replayed.length + retriedUsers + plainCopies.length;
    console.log(`${EVENTS} events, ${all.length} Kinesis records, ${injected} duplicate user records injected, ${duplicates} dropped`);
    expect(userRecords, "our de-aggregation finds what AWS's finds").toBe(awsUserRecords);
    expect(rejected.sort()).toEqual(['KINESIS_AGGREGATE_BAD_DIGEST', 'KINESIS_RECORD_NOT_JSON']);
    expect(duplicates).toBe(injected);
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(records.map((r) => r.eventId!)));
    for (const e of events) expect(e.event.id).toBe(e.id);
  });
});

function countUsers(data: Uint8Array): number {
  let count = 0;
  agg.deaggregateSync({ data: Buffer.from(data).toString('base64'), partitionKey: 'x', sequenceNumber: '0' }, true, (err, users) => {
    if (err) throw err;
    count = users!.length;
  });
  return count;
}
