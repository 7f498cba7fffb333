import { describe, expect, it } from 'vitest';
import { createIntervalLog } from '../interval-log.js';
import { classifyAwsError } from '../classify-aws-error.js';

describe('createIntervalLog', () => {
  it('logs the first occurrence, folds later ones into the next line after the interval, per event', () => {
    let now = 0;
    const lines: { event: string; fields: Readonly<Record<string, unknown>> }[] = [];
    const note = createIntervalLog({ log: (event, fields) => lines.push({ event, fields }), intervalMs: 60_000, nowMs: () => now });
    note('KinesisPutThrottled', { stream: 's' }, 12);
    now = 1_000;
    note('KinesisPutThrottled', { stream: 's' }, 30);
    note('KinesisCallError', { stream: 's' });
    now = 59_999;
    note('KinesisPutThrottled', { stream: 's' }, 5);
    now = 60_000;
    note('KinesisPutThrottled', { stream: 's' }, 1);
    expect(lines).toEqual([
      { event: 'KinesisPutThrottled', fields: { stream: 's', count: 12, intervalMs: 60_000 } },
      { event: 'KinesisCallError', fields: { stream: 's', count: 1, intervalMs: 60_000 } },
      { event: 'KinesisPutThrottled', fields: { stream: 's', count: 36, intervalMs: 60_000 } },
    ]);
  });
});

describe('classifyAwsError', () => {
  const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name });
  it('makes invalid requests final and everything an operator or time can fix retryable', () => {
    expect(classifyAwsError(sdkError('ValidationException', '1 validation error detected'))).toMatchObject({ status: 'failure', error: { message: '1 validation error detected' } });
    expect(classifyAwsError(sdkError('ProvisionedThroughputExceededException', 'Rate exceeded'))).toMatchObject({ status: 'retryable', retryAfterMs: 1_000 });
    expect(classifyAwsError(sdkError('ResourceNotFoundException', 'Stream s not found'))).toMatchObject({ status: 'retryable', error: { name: 'ResourceNotFoundException' } });
    expect(classifyAwsError(sdkError('AbortError', 'Request aborted'))).toMatchObject({ status: 'retryable' });
    expect(classifyAwsError('socket closed')).toMatchObject({ status: 'retryable', error: { message: 'socket closed' } });
  });
});
