import { describe, expect, it } from 'vitest';
import { sinkTypes } from '../../sinks/built-in-sink-types.js';
import { readConfig } from '../config.js';
import { describeSettings } from '../config-settings.js';
import { refused } from './refused.js';

const file = {
  sources: [{ id: 'web', writeKey: 'web-public-key' }, { id: 'orders', writeKey: 'orders-key-1' }],
  sinks: [
    { type: 'kinesis', name: 'kinesis', streamName: 'from-file' },
    { type: 's3', name: 'raw-archive', bucket: 'from-file' },
  ],
};

describe('config from the environment', () => {
  it('sets ingest.* keys, each sink by name and each source by id, typed as the key is', () => {
    const { config } = readConfig(file, sinkTypes, {
      SHOPSTREAM_INGEST_DEDUPE_STORE: 'redis',
      SHOPSTREAM_INGEST_DEDUPE_REDIS_URL: 'redis://:s3cret@cache:6379',
      SHOPSTREAM_INGEST_DEDUPE_WINDOW_MS: '3600000',
      SHOPSTREAM_INGEST_SCHEMAS_STRICT: 'true',
      SHOPSTREAM_INGEST_PII_HASH_KEY: Buffer.alloc(32, 1).toString('base64'),
      SHOPSTREAM_INGEST_PII_ENCRYPT_KEY_ID: 'k1',
      SHOPSTREAM_INGEST_PII_ENCRYPT_KEY: Buffer.alloc(32, 2).toString('base64'),
      SHOPSTREAM_INGEST_DECRYPTION_KEYS: '[]',
      SHOPSTREAM_SOURCES_ORDERS_SECRET: 'hmac-secret-from-a-k8s-secret',
      SHOPSTREAM_SOURCES_WEB_WRITE_KEY: 'web-key-from-env',
      SHOPSTREAM_SINKS_KINESIS_STREAM_NAME: 'events-prod',
      SHOPSTREAM_SINKS_KINESIS_AGGREGATION: 'true',
      SHOPSTREAM_SINKS_KINESIS_LIMITS_LINGER_MS: '250',
      SHOPSTREAM_SINKS_RAW_ARCHIVE_BUCKET: 'lake-prod',
      SHOPSTREAM_CORS_ORIGINS: 'https://shop.example,https://www.shop.example',
    });
    expect(config.ingest.dedupe).toMatchObject({ store: 'redis', redisUrl: 'redis://:s3cret@cache:6379', windowMs: 3_600_000 });
    expect(config.ingest.schemas.strict).toBe(true);
    expect(config.ingest.pii?.encryptKey.keyId).toBe('k1');
    expect(config.sources).toEqual([{ id: 'web', writeKey: 'web-key-from-env' }, { id: 'orders', writeKey: 'orders-key-1', secret: 'hmac-secret-from-a-k8s-secret', secrets: [{ secret: 'hmac-secret-from-a-k8s-secret' }] }]);
    expect(config.sinks[0]).toMatchObject({ name: 'kinesis', streamName: 'events-prod', aggregation: true, limits: { lingerMs: 250 } });
    expect(config.sinks[1]).toMatchObject({ name: 'raw-archive', bucket: 'lake-prod' });
    expect(config.cors.origins).toEqual(['https://shop.example', 'https://www.shop.example']);
  });

  it('refuses an unknown SHOPSTREAM_* variable, naming it and the nearest real one', () => {
    expect(refused(() => readConfig({}, sinkTypes, { SHOPSTREAM_INGEST_DEDUPE_STOR: 'redis' }))).toBe(
      'config: unknown environment variable SHOPSTREAM_INGEST_DEDUPE_STOR: no config key is named so (did you mean SHOPSTREAM_INGEST_DEDUPE_STORE?)',
    );
    // A sink's variable for a sink that is not configured is unknown, not silently dropped.
    expect(refused(() => readConfig(file, sinkTypes, { SHOPSTREAM_SINKS_FIREHOSE_STREAM_NAME: 'x' }))).toMatch(/^config: unknown environment variable SHOPSTREAM_SINKS_FIREHOSE_STREAM_NAME/);
    expect(refused(() => readConfig({}, sinkTypes, { SHOPSTREAM_DELIVERY_RETRIES: '3' }))).toMatch(/SHOPSTREAM_DELIVERY_RETRIES: .*did you mean SHOPSTREAM_DELIVERY_RETRIES_MAX\?/);
    expect(refused(() => readConfig({}, sinkTypes, { SHOPSTREAM_INGEST_SCHEMAS_STRICT: 'yes' }))).toBe('config: ingest.schemas.strict (from SHOPSTREAM_INGEST_SCHEMAS_STRICT) must be true or false, got "yes"');
    // An entry's identity comes from the file: a variable cannot rename a sink.
    expect(refused(() => readConfig(file, sinkTypes, { SHOPSTREAM_SINKS_KINESIS_NAME: 'other' }))).toMatch(/unknown environment variable SHOPSTREAM_SINKS_KINESIS_NAME/);
    // Names other Shopstream programs use may share the shell.
    expect(() => readConfig({}, sinkTypes, { SHOPSTREAM_WRITE_KEY: 'x', SHOPSTREAM_CONFIG: 'c.yaml' })).not.toThrow();
  });

  it('reports every setting with its origin, secrets and URL passwords masked', () => {
    const { settings } = readConfig(file, sinkTypes, {
      SHOPSTREAM_INGEST_DEDUPE_REDIS_URL: 'redis://:s3cret@cache:6379',
      SHOPSTREAM_SOURCES_ORDERS_SECRET: 'hmac-secret-from-a-k8s-secret',
      SHOPSTREAM_WAL_QUOTA_BYTES: '1073741824',
    });
    const byPath = new Map(settings.map((s) => [s.path, s]));
    expect(byPath.get('wal.quotaBytes')).toEqual({ path: 'wal.quotaBytes', value: 1073741824, from: 'env', envName: 'SHOPSTREAM_WAL_QUOTA_BYTES' });
    expect(byPath.get('wal.fsync')).toEqual({ path: 'wal.fsync', value: 'always', from: 'default' });
    expect(byPath.get('sinks[0].streamName')).toMatchObject({ value: 'from-file', from: 'file' });
    expect(byPath.get('ingest.dedupe.redisUrl')?.value).toBe('redis://:***@cache:6379');
    expect(byPath.get('sources[1].secret')?.value).toBe('*** (29 chars)');
    expect(byPath.get('sources[0].writeKey')?.value).toBe('*** (14 chars)');
    // Every section the parser reads is in the report, and no secret text reaches it.
    const text = describeSettings(settings).join('\n');
    for (const section of ['listen', 'sources', 'limits', 'wal', 'lake', 'delivery', 'sinks', 'cors', 'log', 'ingest']) expect(text).toMatch(new RegExp(`^${section} `, 'm'));
    expect(text).not.toMatch(/s3cret|hmac-secret|web-public-key|orders-key-1/);
  });
});
