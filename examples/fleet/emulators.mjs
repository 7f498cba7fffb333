#!/usr/bin/env node
// Local stand-ins for AWS in the compose fleet: kinesalite (Kinesis) and s3rver (S3) in one
// process, with the stream and bucket the collectors write to created up front. Binds
// 127.0.0.1 unless EMULATOR_HOST says otherwise (compose sets 0.0.0.0 inside its network).
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import kinesalite from 'kinesalite';
import S3rver from 's3rver';
import { KinesisClient, CreateStreamCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const host = process.env.EMULATOR_HOST ?? '127.0.0.1';
const kinesisPort = Number(process.env.KINESIS_PORT ?? 4567);
const s3Port = Number(process.env.S3_PORT ?? 4569);
const healthPort = Number(process.env.HEALTH_PORT ?? 4570);
const streamName = process.env.KINESIS_STREAM ?? 'shopstream-events';
const shardCount = Number(process.env.KINESIS_SHARDS ?? 2);
const bucket = process.env.S3_BUCKET ?? 'shopstream-lake';
const dataDir = process.env.EMULATOR_DIR ?? '/tmp/shopstream-emulators';
mkdirSync(`${dataDir}/s3`, { recursive: true });

const kinesis = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
await new Promise((resolve) => kinesis.listen(kinesisPort, host, resolve));
const s3 = new S3rver({ address: host, port: s3Port, directory: `${dataDir}/s3`, silent: true, configureBuckets: [{ name: bucket }] });
await s3.run();

const client = new KinesisClient({
  endpoint: `http://127.0.0.1:${kinesisPort}`,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  requestHandler: new NodeHttpHandler(), // kinesalite fails over the default HTTP/2 handler
});
await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount })).catch((error) => {
  if (error?.name !== 'ResourceInUseException') throw error;
});

// One port for the compose healthcheck: 200 once both emulators answer.
const health = createServer((_req, res) => res.writeHead(200).end('ok'));
health.listen(healthPort, host);
console.log(`kinesis http://${host}:${kinesisPort} stream=${streamName}; s3 http://${host}:${s3Port} bucket=${bucket}; health :${healthPort}`);

const stop = async () => {
  health.close();
  kinesis.close();
  await s3.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
