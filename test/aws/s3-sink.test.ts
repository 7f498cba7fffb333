import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { hivePartitionPath, partitionSlug } from '@shopstream/shared';
import { loadLakeCatalog } from '../../collector/src/lake/lake-catalog.js';
import { createS3Sink } from '../../collector/src/sinks/aws/s3/s3-sink.js';
import type { SinkRecord } from '../../collector/src/sinks/sink.js';
import { startS3rver, type S3rverServer } from '../support/s3rver.js';
import { driveSink } from './drive-sink.js';
import { getObject, listKeys } from './s3-read.js';
import { sampleRecords } from './sample-records.js';

let s3: S3rverServer;
let downloads: string;
const log = () => undefined;
const signal = new AbortController().signal;
const KEY = /^lake\/clean\/source=(web|pos)\/event_type=([a-z_]+)\/dt=(\d{4}-\d{2}-\d{2})\/hr=(\d{2})\/(\d{16})_(\d{6})-(\d{16})_(\d{6})\.(ndjson\.gz|parquet)$/;

/** 6,000 events from two sources over two hours (09:50 to 10:23 UTC), in WAL order. */
function twoSourcesTwoHours(): SinkRecord[] {
  const startMs = Date.UTC(2026, 10, 23, 9, 50);
  const web = sampleRecords({ count: 4_000, source: 'web', startMs, stepMs: 500 });
  const pos = sampleRecords({ count: 2_000, source: 'pos', startMs, stepMs: 1_000, firstLsn: web.at(-1)!.lsn + 1_000 });
  return [...web, ...pos];
}

/** Downloads every object of `bucket` into a fresh folder under the same keys, for DuckDB. */
async function download(bucket: string): Promise<string> {
  const dir = join(downloads, bucket);
  for (const key of await listKeys(s3.client(), bucket)) {
    await mkdir(dirname(join(dir, key)), { recursive: true });
    await writeFile(join(dir, key), await getObject(s3.client(), bucket, key));
  }
  return dir;
}

async function duckdb<T>(sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as T[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

beforeAll(async () => {
  s3 = await startS3rver();
  downloads = await mkdtemp(join(tmpdir(), 'shopstream-s3-read-'));
});
afterAll(async () => {
  await s3?.stop();
  if (downloads) await rm(downloads, { recursive: true, force: true });
});

describe('S3 sink against s3rver', () => {
  it('writes gzip NDJSON under <prefix>/<zone>/source=/event_type=/dt=/hr=/<firstLsn>-<lastLsn>, one file per partition, DuckDB reads it back', async () => {
    await s3.createBucket('ndjson');
    const records = twoSourcesTwoHours();
    const sink = createS3Sink({ client: s3.client(), bucket: 'ndjson', prefix: 'lake/', log });
    expect(sink.limits).toMatchObject({ bytesMax: 64 * 1024 * 1024, lingerMs: 60_000 });
    await driveSink(sink, records);

    const keys = await listKeys(s3.client(), 'ndjson');
    const partitions = new Set(records.map((r) => hivePartitionPath(r.zone, r.source, r.eventType, new Date(r.receivedAtMs))));
    expect(partitions.size).toBe(20);
    expect(keys).toHaveLength(partitions.size);
    let lines = 0;
    for (const key of keys) {
      const [, source, eventType, dt, hr, firstLsn, , lastLsn] = KEY.exec(key)!;
      const rows = gunzipSync(await getObject(s3.client(), 'ndjson', key)).toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { source: string; type: string; receivedAt: string });
      lines += rows.length;
      for (const row of rows) {
        expect(row.source).toBe(source);
        expect(partitionSlug(row.type)).toBe(eventType);
        expect(row.receivedAt.slice(0, 10)).toBe(dt);
        expect(row.receivedAt.slice(11, 13)).toBe(hr);
      }
      const inFile = records.filter((r) => key.includes(`${hivePartitionPath(r.zone, r.source, r.eventType, new Date(r.receivedAtMs))}/`));
      expect(Number(firstLsn)).toBe(inFile[0]!.lsn);
      expect(Number(lastLsn)).toBe(inFile.at(-1)!.lsn);
    }
    expect(lines).toBe(records.length);
    expect(sink.counters).toMatchObject({ recordsWritten: 6_000, calls: 20 });

    const dir = await download('ndjson');
    const [summary] = await duckdb<{ rows: bigint; ids: bigint; hours: bigint }>(
      `select count(*) as rows, count(distinct id) as ids, count(distinct hr) as hours from read_json_auto('${dir}/lake/*/*/*/*/*/*.ndjson.gz', hive_partitioning = true)`,
    );
    expect(summary).toEqual({ rows: 6_000n, ids: 6_000n, hours: 2n });
  });

  it('rolls files by size: each file holds at most rollBytes of JSON, every record once', async () => {
    await s3.createBucket('rolled');
    const records = sampleRecords({ count: 3_000, stepMs: 1 }).map((r) => ({ ...r, eventType: 'Product Viewed' }));
    const rollBytes = 200 * 1024;
    const sink = createS3Sink({ client: s3.client(), bucket: 'rolled', rollBytes, log });
    await driveSink(sink, records);
    const keys = await listKeys(s3.client(), 'rolled');
    const totalBytes = records.reduce((sum, r) => sum + Buffer.byteLength(r.json) + 1, 0);
    expect(keys.length).toBeGreaterThanOrEqual(Math.ceil(totalBytes / rollBytes));
    const ids: string[] = [];
    const inputBytes = new Map(records.map((r) => [r.eventId, Buffer.byteLength(r.json)]));
    for (const key of keys) {
      const text = gunzipSync(await getObject(s3.client(), 'rolled', key)).toString('utf8');
      const inFile = text.trimEnd().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);
      // rollBytes bounds the records' JSON as they reach the sink (lake rows add lineage columns).
      expect(inFile.reduce((sum, id) => sum + inputBytes.get(id)!, 0)).toBeLessThanOrEqual(rollBytes);
      ids.push(...inFile);
    }
    expect(ids).toEqual(records.map((r) => r.eventId));
  });

  it('writes Parquet with the lake tables\' typed columns (ZSTD, dictionaries, statistics), read back by DuckDB', async () => {
    await s3.createBucket('parquet');
    const records = twoSourcesTwoHours();
    const sink = createS3Sink({ client: s3.client(), bucket: 'parquet', prefix: 'lake', format: 'parquet', catalog: await loadLakeCatalog(), log });
    await driveSink(sink, records);
    await sink.close?.();
    const keys = await listKeys(s3.client(), 'parquet');
    expect(keys).toHaveLength(20);
    for (const key of keys) expect(key).toMatch(KEY);
    const dir = await download('parquet');
    const files = `'${dir}/lake/*/*/*/*/*/*.parquet'`;
    const [summary] = await duckdb<{ rows: bigint; ids: bigint; price: number; priceType: string; kinds: bigint }>(
      `select count(*) as rows, count(distinct id) as ids, max(properties.price) as price, any_value(typeof(properties.price)) as priceType,
              count(*) filter (where kind = 'track') as kinds
       from read_parquet(${files}, hive_partitioning = true, union_by_name = true) where event_type <> ''`,
    );
    expect(summary).toEqual({ rows: 6_000n, ids: 6_000n, price: 10.5, priceType: 'DOUBLE', kinds: 6_000n });
    const read = await duckdb<{ id: string; type: string; sessionId: string; timestamp: string }>(
      `select id, type, sessionId, strftime("timestamp", '%Y-%m-%dT%H:%M:%S.%g') || 'Z' as timestamp from read_parquet(${files}, union_by_name = true)`,
    );
    const byId = new Map(records.map((r) => [r.eventId!, JSON.parse(r.json) as Record<string, string>]));
    for (const row of read) {
      const sent = byId.get(row.id)!;
      expect([row.type, row.sessionId, row.timestamp]).toEqual([sent.type, sent.sessionId, sent.timestamp]);
    }
    const chunks = await duckdb<{ compression: string; encodings: string; stats_min: string | null; path_in_schema: string }>(
      `select compression, encodings, stats_min, path_in_schema from parquet_metadata(${files})`,
    );
    expect(chunks.every((c) => c.compression === 'ZSTD')).toBe(true);
    expect(chunks.some((c) => c.path_in_schema === 'sessionId' && c.encodings.includes('DICTIONARY'))).toBe(true);
    expect(chunks.find((c) => c.path_in_schema === 'id')!.stats_min).toBeTruthy();
  });

  it('a replayed batch (written twice, as after a crash) rewrites the same keys: object count and contents unchanged', async () => {
    await s3.createBucket('replay');
    const records = twoSourcesTwoHours();
    const sink = createS3Sink({ client: s3.client(), bucket: 'replay', prefix: 'lake', log });
    await driveSink(sink, records);
    const before = await listKeys(s3.client(), 'replay');
    const firstBody = await getObject(s3.client(), 'replay', before[0]!);
    await driveSink(sink, records);
    expect(await listKeys(s3.client(), 'replay')).toEqual(before);
    expect(gunzipSync(await getObject(s3.client(), 'replay', before[0]!))).toEqual(gunzipSync(firstBody));
  });

  it('uploads a large file in multipart parts', async () => {
    await s3.createBucket('multipart');
    const records = sampleRecords({ count: 700, blobBytes: 16 * 1024 }).map((r) => ({ ...r, eventType: 'Product Viewed' }));
    const client = s3.client();
    const commands: string[] = [];
    client.middlewareStack.add((next, context) => (args) => {
      commands.push(context.commandName!);
      return next(args);
    }, { step: 'initialize' });
    const sink = createS3Sink({ client, bucket: 'multipart', partBytes: 5 * 1024 * 1024, log });
    await driveSink(sink, records);
    expect(commands.filter((name) => name === 'UploadPartCommand').length).toBeGreaterThanOrEqual(2);
    expect(commands).toContain('CreateMultipartUploadCommand');
    expect(commands).toContain('CompleteMultipartUploadCommand');
    expect(commands).not.toContain('PutObjectCommand');
    const [key, ...others] = await listKeys(s3.client(), 'multipart');
    expect(others).toEqual([]);
    const head = await s3.client().send(new HeadObjectCommand({ Bucket: 'multipart', Key: key! }));
    expect(head.ContentLength).toBeGreaterThan(5 * 1024 * 1024);
    const ids = gunzipSync(await getObject(s3.client(), 'multipart', key!)).toString('utf8').trimEnd().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids).toEqual(records.map((r) => r.eventId));
  });

  it('a missing bucket is retryable with S3\'s message; the server still serves and a good write right after lands', async () => {
    const [good] = sampleRecords({ count: 1 });
    const missing = createS3Sink({ client: s3.client(), bucket: 'no-such-bucket', log });
    const outcome = await missing.write([good!], signal);
    expect(outcome.status).toBe('retryable');
    if (outcome.status === 'retryable') {
      expect(outcome.error?.name).toBe('NoSuchBucket');
      expect(outcome.error?.message).toBe('The specified bucket does not exist');
    }
    expect(missing.counters).toMatchObject({ callErrors: 1, recordsWritten: 0 });
    await s3.createBucket('after-error');
    const sink = createS3Sink({ client: s3.client(), bucket: 'after-error', log });
    expect(await sink.write([good!], signal)).toEqual({ status: 'success' });
    const keys = await listKeys(s3.client(), 'after-error');
    expect(keys).toHaveLength(1);
    expect(JSON.parse(gunzipSync(await getObject(s3.client(), 'after-error', keys[0]!)).toString('utf8')).id).toBe(good!.eventId);
  });
});
