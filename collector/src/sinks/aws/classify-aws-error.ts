/**
 * Maps an error thrown by an AWS SDK v3 call to an `Outcome`. Only a request the service calls
 * invalid is final (`failure`, so the engine dead-letters it); throttling, 5xx, network trouble,
 * aborts, and also missing streams/buckets or credentials are `retryable`: an operator can fix
 * those, and holding the WAL cursor (lag grows, alarms fire) loses nothing.
 */
import type { Outcome } from '@shopstream/shared';

/** Error codes that mean "slow down", per entry or per call, across Kinesis, Firehose and S3. */
const THROTTLING_CODES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'SlowDown',
  'RequestLimitExceeded',
  'KMSThrottlingException',
]);

/** Codes that say the request can never succeed as sent. */
const INVALID_REQUEST_CODES = new Set(['ValidationException', 'InvalidArgumentException', 'SerializationException', 'EntityTooLarge', 'InvalidRequest']);

export function isThrottlingCode(code: string): boolean {
  return THROTTLING_CODES.has(code);
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

export function classifyAwsError(thrown: unknown): Exclude<Outcome, { status: 'success' }> {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  const shape = thrown as SdkErrorShape;
  const code = shape?.name ?? '';
  if (INVALID_REQUEST_CODES.has(code)) return { status: 'failure', error };
  if (isThrottlingCode(code)) return { status: 'retryable', retryAfterMs: 1_000, error };
  return { status: 'retryable', error };
}
