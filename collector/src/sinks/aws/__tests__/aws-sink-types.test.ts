import type { SinkType } from '../../sink-type.js';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { parseConfig } from '../../../config/config.js';
import { lakeSinkType } from '../../lake/lake-sink-type.js';
import { kinesisSinkType } from '../kinesis/kinesis-sink-type.js';
import { firehoseSinkType } from '../firehose/firehose-sink-type.js';
import { s3SinkType } from '../s3/s3-sink-type.js';

const types: readonly SinkType[] = [lakeSinkType, kinesisSinkType, firehoseSinkType, s3SinkType];
const log = pino({ level: 'silent' });

describe('AWS sink types in the collector config', () => {
  it('reads kinesis, firehose and s3 entries and builds sinks whose limits follow the API and the roll settings', async () => {
    const config = parseConfig(
      {
        sinks: [
          { type: 'kinesis', name: 'stream', streamName: 'events', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4567', partitionKey: 'sessionId', aggregation: true },
          { type: 'firehose', name: 'hose', deliveryStreamName: 'events', region: 'eu-west-1', limits: { recordsMax: 100 } },
          { type: 's3', name: 'bucket', bucket: 'shop-lake', prefix: 'lake', format: 'parquet', rollBytes: 16 * 1024 * 1024, rollAgeMs: 30_000, region: 'eu-west-1' },
        ],
      },
      types,
    );
    const [kinesis, firehose, s3] = await Promise.all(config.sinks.map((entry) => types.find((t) => t.type === entry.type)!.create(entry, { log })));
    expect(config.sinks[0]).toMatchObject({ client: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:4567' }, partitionKey: 'sessionId', aggregation: true });
    expect(kinesis!.name).toBe('stream');
    expect(kinesis!.limits.recordsMax).toBeGreaterThan(500);
    expect(firehose!.limits).toMatchObject({ recordsMax: 100, recordBytesMax: 1_000 * 1024 - 1 });
    expect(s3!.limits).toMatchObject({ bytesMax: 16 * 1024 * 1024, lingerMs: 30_000 });
  });

  it('refuses bad entries with one line naming the key', () => {
    const bad = (entry: Record<string, unknown>) => () => parseConfig({ sinks: [entry] }, types);
    expect(bad({ type: 'kinesis', partitionKey: 'eventId' })).toThrow('config: sinks[0].streamName must be a non-empty string, got nothing');
    expect(bad({ type: 'kinesis', streamName: 's', aggregation: 'yes' })).toThrow('config: sinks[0].aggregation must be true or false, got "yes"');
    expect(bad({ type: 's3', bucket: 'b', format: 'csv' })).toThrow(/sinks\[0\]\.bucket must be an S3 bucket name/);
    expect(bad({ type: 's3', bucket: 'bucket', format: 'csv' })).toThrow('config: sinks[0].format must be one of "ndjson", "parquet", got "csv"');
    expect(bad({ type: 'firehose', deliveryStreamName: 'x', endpoint: 'localhost:1' })).toThrow('config: sinks[0].endpoint must be an http(s) URL, got "localhost:1"');
    expect(bad({ type: 'firehose', deliveryStreamName: 'x', credentials: 'secret' })).toThrow(/sinks\[0\]\.credentials is not a known key/);
  });
});
