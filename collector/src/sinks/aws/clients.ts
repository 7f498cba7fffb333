/**
 * AWS clients for the sinks, made at the edge (the sinks take a client, so tests pass their
 * own). Credentials come from the SDK's default provider chain; `endpoint` overrides the
 * service URL for local servers, which need HTTP/1.1 (kinesalite fails on the SDK's HTTP/2
 * default) and, for S3, path-style URLs and checksums only when required (s3rver stores the
 * aws-chunked framing of a checksummed stream body inside the object).
 */
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface AwsClientOptions {
  readonly region?: string;
  /** Service URL override, e.g. `http://127.0.0.1:4567` for kinesalite. */
  readonly endpoint?: string;
}

/** SDK retries stay off: the delivery engine owns retry and backoff, and retries only failed entries. */
const SDK_ATTEMPTS_MAX = 1;

function common(options: AwsClientOptions) {
  return {
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, requestHandler: new NodeHttpHandler() }),
    maxAttempts: SDK_ATTEMPTS_MAX,
  };
}

export function createKinesisClient(options: AwsClientOptions): KinesisClient {
  return new KinesisClient(common(options));
}

export function createFirehoseClient(options: AwsClientOptions): FirehoseClient {
  return new FirehoseClient(common(options));
}

export function createS3Client(options: AwsClientOptions): S3Client {
  return new S3Client({
    ...common(options),
    forcePathStyle: options.endpoint !== undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
