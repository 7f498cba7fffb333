/**
 * A small Kinesis Data Firehose stand-in: no Firehose emulator exists on npm or Debian, so this
 * node:http server stands in for it. It speaks the real wire protocol the v3 SDK uses (AWS JSON
 * 1.1, `X-Amz-Target: Firehose_20150804.<Operation>`, base64 `Data`), answers `PutRecordBatch`
 * and `DescribeDeliveryStream` for the delivery streams it was started with, and delivers to S3
 * (s3rver) as Firehose does: record data concatenated as is, buffered per stream until
 * `bufferBytes` or `bufferMs`, under `<prefix>YYYY/MM/DD/HH/<stream>-1-YYYY-MM-DD-HH-MM-SS-<uuid>`.
 * It enforces the API limits (500 records, 4 MiB per call, 1,000 KiB per record) and can fail a
 * fraction of entries (`FailedPutCount`, `ServiceUnavailableException`) for partial-failure tests.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface FirehoseServerOptions {
  /** Where delivered objects go (a client of s3rver). */
  readonly s3: S3Client;
  readonly bucket: string;
  readonly deliveryStreams: readonly string[];
  /** S3 key prefix, like Firehose's `Prefix`; default none. */
  readonly prefix?: string;
  /** Deliver when a stream's buffer reaches this size. Default 1 MiB (Firehose's minimum). */
  readonly bufferBytes?: number;
  /** Deliver a non-empty buffer this long after its first record. Default 200 ms (Firehose: 60 s+). */
  readonly bufferMs?: number;
  /** Fraction of entries answered `ServiceUnavailableException` instead of accepted. Default 0. */
  readonly failFraction?: number;
  readonly random?: () => number;
}

export interface FirehoseServer {
  readonly endpoint: string;
  /** Entries refused on purpose so far. */
  failedEntries(): number;
  /** Accepted records so far. */
  acceptedRecords(): number;
  /** Delivers every buffer now and resolves when the objects are in S3. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

const CALL_ENTRIES_MAX = 500;
const CALL_BYTES_MAX = 4 * 1024 * 1024;
const RECORD_BYTES_MAX = 1_000 * 1024;
const BODY_BYTES_MAX = 8 * 1024 * 1024;
const AMZ_JSON = 'application/x-amz-json-1.1';

interface StreamBuffer {
  chunks: Buffer[];
  bytes: number;
  timer?: NodeJS.Timeout;
}

class ApiError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

export async function startFirehoseServer(options: FirehoseServerOptions): Promise<FirehoseServer> {
  const bufferBytes = options.bufferBytes ?? 1024 * 1024;
  const bufferMs = options.bufferMs ?? 200;
  const failFraction = options.failFraction ?? 0;
  const random = options.random ?? Math.random;
  const buffers = new Map<string, StreamBuffer>(options.deliveryStreams.map((name) => [name, { chunks: [], bytes: 0 }]));
  const deliveries = new Set<Promise<void>>();
  let failed = 0;
  let accepted = 0;

  const deliver = (name: string): Promise<void> => {
    const buffer = buffers.get(name)!;
    clearTimeout(buffer.timer);
    buffer.timer = undefined;
    if (buffer.bytes === 0) return Promise.resolve();
    const body = Buffer.concat(buffer.chunks);
    buffer.chunks = [];
    buffer.bytes = 0;
    const at = new Date().toISOString();
    const stamp = `${at.slice(0, 4)}-${at.slice(5, 7)}-${at.slice(8, 10)}-${at.slice(11, 13)}-${at.slice(14, 16)}-${at.slice(17, 19)}`;
    const key = `${options.prefix ?? ''}${at.slice(0, 4)}/${at.slice(5, 7)}/${at.slice(8, 10)}/${at.slice(11, 13)}/${name}-1-${stamp}-${randomUUID()}`;
    const delivery = options.s3
      .send(new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: body }))
      .then(() => undefined)
      .finally(() => deliveries.delete(delivery));
    deliveries.add(delivery);
    return delivery;
  };

  const putRecordBatch = (input: { DeliveryStreamName?: string; Records?: { Data?: string }[] }) => {
    const buffer = streamOf(input.DeliveryStreamName);
    const records = input.Records ?? [];
    if (records.length === 0 || records.length > CALL_ENTRIES_MAX) throw new ApiError('InvalidArgumentException', `Records must hold 1 to ${CALL_ENTRIES_MAX} entries, got ${records.length}.`);
    const datas = records.map((record) => Buffer.from(record.Data ?? '', 'base64'));
    const total = datas.reduce((sum, data) => sum + data.length, 0);
    if (total > CALL_BYTES_MAX) throw new ApiError('InvalidArgumentException', `Records total ${total} bytes, over ${CALL_BYTES_MAX}.`);
    const oversize = datas.findIndex((data) => data.length > RECORD_BYTES_MAX);
    if (oversize >= 0) throw new ApiError('InvalidArgumentException', `Record ${oversize} is ${datas[oversize]!.length} bytes, over ${RECORD_BYTES_MAX}.`);
    let failedHere = 0;
    const responses = datas.map((data) => {
      if (failFraction > 0 && random() < failFraction) {
        failedHere++;
        return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' };
      }
      buffer.chunks.push(data);
      buffer.bytes += data.length;
      return { RecordId: randomUUID().replaceAll('-', '') };
    });
    failed += failedHere;
    accepted += datas.length - failedHere;
    const name = input.DeliveryStreamName!;
    if (buffer.bytes >= bufferBytes) void deliver(name).catch(() => undefined);
    else if (buffer.bytes > 0 && buffer.timer === undefined) buffer.timer = setTimeout(() => void deliver(name).catch(() => undefined), bufferMs);
    return { FailedPutCount: failedHere, Encrypted: false, RequestResponses: responses };
  };

  const streamOf = (name: string | undefined): StreamBuffer => {
    const buffer = name === undefined ? undefined : buffers.get(name);
    if (buffer === undefined) throw new ApiError('ResourceNotFoundException', `Firehose ${name ?? '(none)'} not found under account 000000000000.`);
    return buffer;
  };

  const describe = (input: { DeliveryStreamName?: string }) => {
    streamOf(input.DeliveryStreamName);
    return {
      DeliveryStreamDescription: {
        DeliveryStreamName: input.DeliveryStreamName,
        DeliveryStreamARN: `arn:aws:firehose:us-east-1:000000000000:deliverystream/${input.DeliveryStreamName}`,
        DeliveryStreamStatus: 'ACTIVE',
        DeliveryStreamType: 'DirectPut',
        VersionId: '1',
        Destinations: [{ DestinationId: 'destinationId-000000000001', ExtendedS3DestinationDescription: { BucketARN: `arn:aws:s3:::${options.bucket}`, Prefix: options.prefix ?? '', BufferingHints: { SizeInMBs: Math.ceil(bufferBytes / 1048576), IntervalInSeconds: Math.ceil(bufferMs / 1000) }, CompressionFormat: 'UNCOMPRESSED', RoleARN: 'arn:aws:iam::000000000000:role/firehose', EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' } } }],
        HasMoreDestinations: false,
      },
    };
  };

  const answer = (response: ServerResponse, status: number, body: unknown, errorType?: string): void => {
    response.writeHead(status, { 'content-type': AMZ_JSON, 'x-amzn-requestid': randomUUID(), ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
    response.end(JSON.stringify(body));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    try {
      const chunks: Buffer[] = [];
      let bytes = 0;
      for await (const chunk of request) {
        bytes += (chunk as Buffer).length;
        if (bytes > BODY_BYTES_MAX) throw new ApiError('InvalidArgumentException', `Request body over ${BODY_BYTES_MAX} bytes.`, 413);
        chunks.push(chunk as Buffer);
      }
      const target = String(request.headers['x-amz-target'] ?? '');
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, never>;
      if (target === 'Firehose_20150804.PutRecordBatch') return answer(response, 200, putRecordBatch(input));
      if (target === 'Firehose_20150804.DescribeDeliveryStream') return answer(response, 200, describe(input));
      throw new ApiError('UnknownOperationException', `Operation ${target || '(none)'} is not supported here.`);
    } catch (error) {
      if (error instanceof ApiError) return answer(response, error.status, { __type: error.type, message: error.message }, error.type);
      return answer(response, 400, { __type: 'SerializationException', message: String(error) }, 'SerializationException');
    }
  };

  const server: Server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const flush = async (): Promise<void> => {
    await Promise.all([...buffers.keys()].map(deliver));
    await Promise.all([...deliveries]);
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failedEntries: () => failed,
    acceptedRecords: () => accepted,
    flush,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await flush();
    },
  };
}
