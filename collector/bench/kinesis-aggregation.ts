/**
 * PutRecords calls and bytes for 100,000 typical e-commerce events (~400 B of JSON) against
 * kinesalite, without and with KPL aggregation; then events/s from sink.write to each local
 * server (Kinesis plain and aggregated, the Firehose stand-in, S3 NDJSON and Parquet on s3rver).
 * Closing line: value = calls with aggregation, baseline = calls without, ratio = baseline/value.
 */
import { createFirehoseSink } from '../src/sinks/aws/firehose/firehose-sink.js';
import { createKinesisSink } from '../src/sinks/aws/kinesis/kinesis-sink.js';
import { createS3Sink } from '../src/sinks/aws/s3/s3-sink.js';
import type { Sink, SinkRecord } from '../src/sinks/sink.js';
import type { SinkCounters } from '../src/sinks/aws/sink-counters.js';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startKinesalite, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../test/support/kinesalite.js';
import { startS3rver } from '../../test/support/s3rver.js';
import { startFirehoseServer } from '../../test/support/firehose-server.js';
import { driveSink } from '../../test/aws/drive-sink.js';
import { sampleRecords } from '../../test/aws/sample-records.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const THROUGHPUT_EVENTS = Number(process.env.BENCH_THROUGHPUT_EVENTS ?? 30_000);
const quiet = () => undefined;

interface Run {
  readonly name: string;
  readonly events: number;
  readonly seconds: number;
  readonly counters: SinkCounters;
}

async function run(name: string, sink: Sink & { counters: SinkCounters }, records: readonly SinkRecord[]): Promise<Run> {
  const started = process.hrtime.bigint();
  await driveSink(sink, records);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { name, events: records.length, seconds, counters: sink.counters };
}

const kinesalite = await startKinesalite();
const s3 = await startS3rver();
const runs: Run[] = [];
try {
  const records = sampleRecords({ count: EVENTS });
  const jsonBytes = records.reduce((sum, r) => sum + Buffer.byteLength(r.json), 0);
  console.log(`${EVENTS} events, ${(jsonBytes / EVENTS).toFixed(0)} B of JSON each on average`);

  await kinesalite.createStream('plain', 4);
  await kinesalite.createStream('aggregated', 4);
  const plain = await run('Kinesis PutRecords', createKinesisSink({ client: kinesalite.client(), streamName: 'plain', log: quiet }), records);
  const aggregated = await run('Kinesis PutRecords, KPL-aggregated', createKinesisSink({ client: kinesalite.client(), streamName: 'aggregated', aggregation: true, log: quiet }), records);
  runs.push(plain, aggregated);

  const few = records.slice(0, THROUGHPUT_EVENTS);
  await s3.createBucket('firehose-out');
  const firehose = await startFirehoseServer({ s3: s3.client(), bucket: 'firehose-out', deliveryStreams: ['events'], bufferBytes: 5 * 1024 * 1024 });
  const firehoseClient = new FirehoseClient({ endpoint: firehose.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
  runs.push(await run('Firehose PutRecordBatch (stand-in)', createFirehoseSink({ client: firehoseClient, deliveryStreamName: 'events', log: quiet }), few));
  firehoseClient.destroy();
  await firehose.stop();

  await s3.createBucket('lake-ndjson');
  await s3.createBucket('lake-parquet');
  runs.push(await run('S3 gzip NDJSON (s3rver)', createS3Sink({ client: s3.client(), bucket: 'lake-ndjson', prefix: 'lake', log: quiet }), few));
  runs.push(await run('S3 Parquet, snappy (s3rver)', createS3Sink({ client: s3.client(), bucket: 'lake-parquet', prefix: 'lake', format: 'parquet', log: quiet }), few));

  console.log('| sink | events | calls/objects | bytes sent | events/s |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of runs) console.log(`| ${r.name} | ${r.events} | ${r.counters.calls} | ${(r.counters.bytesWritten / 1048576).toFixed(1)} MiB | ${Math.round(r.events / r.seconds)} |`);
  console.log(`aggregation: ${plain.counters.calls} -> ${aggregated.counters.calls} PutRecords calls, ${plain.counters.bytesWritten} -> ${aggregated.counters.bytesWritten} bytes`);
  console.log(JSON.stringify({
    bench: 'kinesis-aggregation',
    value: aggregated.counters.calls,
    unit: `PutRecords calls per ${EVENTS} events (aggregated)`,
    baseline: plain.counters.calls,
    ratio: Number((plain.counters.calls / aggregated.counters.calls).toFixed(2)),
  }));
} finally {
  await s3.stop();
  await kinesalite.stop();
}
