// The collector started with exactly the environment the StatefulSet sets (examples/fleet/k8s,
// secrets resolved from the Secret) and the ConfigMap's collector.yaml comes up ready and uses
// the shared Redis for dedupe. Only what a cluster provides differently is swapped: the Redis
// URL (a local redis-server), the AWS endpoints (kinesalite, s3rver) and their credentials.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadK8sObjects, statefulSetEnv } from '../../examples/__tests__/k8s-manifests.js';
import { startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';
import { startKinesalite, LOCAL_CREDENTIALS, type KinesaliteServer } from '../support/kinesalite.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startS3rver, type S3rverServer } from '../support/s3rver.js';
import { cartViewed, frame, post } from '../ingest/ingest-harness.js';

let redis: RedisServer;
let s3: S3rverServer;
let kinesis: KinesaliteServer;
let collector: CollectorProcess | undefined;

beforeAll(async () => {
  [redis, s3, kinesis] = await Promise.all([startRedisServer(), startS3rver(), startKinesalite()]);
});
afterAll(async () => {
  await collector?.cleanup();
  await Promise.all([redis?.kill(), s3?.stop(), kinesis?.stop()]);
});

it('comes up ready with the StatefulSet\'s env and ConfigMap, and dedupes through Redis', async () => {
  const objects = loadK8sObjects().map((o) => o.object);
  const env = statefulSetEnv(objects);
  expect(Object.keys(env)).toEqual(expect.arrayContaining(['SHOPSTREAM_SOURCES_WEB_WRITE_KEY', 'SHOPSTREAM_SOURCES_ORDERS_SECRET', 'SHOPSTREAM_INGEST_DEDUPE_REDIS_URL', 'SHOPSTREAM_INGEST_PII_HASH_KEY']));
  await s3.createBucket(env.SHOPSTREAM_SINKS_S3_BUCKET!);
  await kinesis.createStream(env.SHOPSTREAM_SINKS_KINESIS_STREAM_NAME!, 1);
  const config = parse(objects.find((o) => o.kind === 'ConfigMap')!.data['collector.yaml'] as string) as Record<string, unknown>;
  collector = await startCollectorProcess({
    config,
    env: {
      ...env,
      SHOPSTREAM_INGEST_DEDUPE_REDIS_URL: redis.url,
      SHOPSTREAM_SINKS_S3_ENDPOINT: s3.endpoint,
      SHOPSTREAM_SINKS_KINESIS_ENDPOINT: kinesis.endpoint,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    },
  });
  expect((await fetch(`${collector.url}/readyz`)).status).toBe(200);
  // The write key from the Secret is the one accepted; the ConfigMap has none.
  const events = [cartViewed(), cartViewed()];
  const body = await frame(events);
  expect((await post(collector.url, body, 'not-the-key')).status).toBe(401);
  expect((await post(collector.url, body, env.SHOPSTREAM_SOURCES_WEB_WRITE_KEY!)).status).toBe(200);
  // Dedupe claims land in the shared Redis, one key per event id.
  const keys = () => spawnSync('redis-cli', ['-p', String(redis.port), '--scan', '--pattern', 'shopstream:dedupe:*'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  await waitFor(() => events.every((e) => keys().some((key) => key.includes(e.id))), 20_000, 'the events\' dedupe keys in Redis');
  expect(collector.output()).not.toContain(env.SHOPSTREAM_SOURCES_ORDERS_SECRET!);
});
