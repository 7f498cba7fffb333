import { describe, expect, it } from 'vitest';
import { sendInCalls, splitIntoCalls, type BatchEntry, type EntryResult } from '../aws-batcher.js';
import type { SinkRecord } from '../../sink.js';

const record = (lsn: number): SinkRecord => ({ lsn, index: 0, zone: 'clean', source: 'web', eventType: 'Product Viewed', eventId: `e${lsn}`, receivedAtMs: 0, json: `{"n":${lsn}}` });
const entries = (count: number, bytes: number): BatchEntry<number>[] => Array.from({ length: count }, (_, i) => ({ entry: i, bytes, records: [record(i)] }));

describe('splitIntoCalls', () => {
  it('starts a new call at the entry limit or before passing the byte limit, keeping order', () => {
    const calls = splitIntoCalls(entries(1_200, 10), { entriesMax: 500, bytesMax: 1_000_000 });
    expect(calls.map((call) => call.length)).toEqual([500, 500, 200]);
    const byBytes = splitIntoCalls(entries(10, 300), { entriesMax: 500, bytesMax: 1_000 });
    expect(byBytes.map((call) => call.length)).toEqual([3, 3, 3, 1]);
    expect(byBytes.flat().map((item) => item.entry)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('sendInCalls', () => {
  it('hands back only the failed entries as partial and counts throttling', async () => {
    const sent: number[][] = [];
    const put = async (batch: readonly number[]): Promise<EntryResult[]> => {
      sent.push([...batch]);
      return batch.map((n) => (n % 4 === 0 ? { errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'Rate exceeded' } : n === 7 ? { errorCode: 'InternalFailure' } : {}));
    };
    const { outcome, report } = await sendInCalls(entries(10, 1), { entriesMax: 4, bytesMax: 100 }, put);
    expect(sent).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(outcome.status).toBe('partial');
    if (outcome.status !== 'partial') return;
    expect(outcome.retry.map((r) => r.lsn)).toEqual([0, 4, 7, 8]);
    expect(report).toMatchObject({ calls: 3, entriesSent: 6, entriesFailed: 4, entriesThrottled: 3, firstErrorCode: 'ProvisionedThroughputExceededException' });
  });

  it('a call that throws after one landed hands back it and every later call; before any landed, the call outcome', async () => {
    let calls = 0;
    const failSecond = async (batch: readonly number[]): Promise<EntryResult[]> => {
      if (++calls === 2) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      return batch.map(() => ({}));
    };
    const { outcome } = await sendInCalls(entries(9, 1), { entriesMax: 3, bytesMax: 100 }, failSecond);
    expect(outcome.status).toBe('partial');
    if (outcome.status === 'partial') expect(outcome.retry.map((r) => r.lsn)).toEqual([3, 4, 5, 6, 7, 8]);

    const invalid = async (): Promise<EntryResult[]> => {
      throw Object.assign(new Error('1 validation error'), { name: 'ValidationException' });
    };
    const first = await sendInCalls(entries(2, 1), { entriesMax: 3, bytesMax: 100 }, invalid);
    expect(first.outcome).toMatchObject({ status: 'failure', error: { message: '1 validation error' } });
    const throttled = async (): Promise<EntryResult[]> => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
    };
    expect((await sendInCalls(entries(2, 1), { entriesMax: 3, bytesMax: 100 }, throttled)).outcome).toMatchObject({ status: 'retryable', retryAfterMs: 1_000 });
  });
});
