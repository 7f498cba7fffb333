import { encodeFrame, identityCodec, msgpackEncoding } from '@shopstream/shared';
import { describe, expect, it } from 'vitest';
import { encodeIngestRecord } from '../../pipeline/ingest-record.js';
import { createProcessor } from '../../pipeline/processor.js';
import { testChain } from '../../pipeline/__tests__/chain-helpers.js';
import type { SinkLimits, SinkOutcome, SinkRecord } from '../../sinks/sink.js';
import { SinkLoop, type DeliveryPolicy } from '../sink-loop.js';
import { appendBatch, events, fastClock, MemoryCursors, MemoryDeadLetter, MemoryWal, quietLog, ScriptedSink } from './memory-wal.js';

const limits: SinkLimits = { recordsMax: 1000, bytesMax: 1 << 20, recordBytesMax: 64 * 1024, lingerMs: 0 };
const policy: DeliveryPolicy = { retriesMax: 4, backoffBaseMs: 100, backoffMaxMs: 1000, breakerFailuresMax: 10, breakerOpenMs: 500, readRecordsMax: 64, writeTimeoutMs: 5000 };
const processor = createProcessor(testChain());
const cleanOnly = (r: SinkRecord) => r.zone === 'clean';
const failWith = (message: string, status: 'retryable' | 'failure' = 'retryable', retryAfterMs?: number) => (): SinkOutcome =>
  status === 'failure' ? { status, error: new Error(message) } : { status, error: new Error(message), ...(retryAfterMs ? { retryAfterMs } : {}) };

function setup(options: { sink: ScriptedSink; cursors?: MemoryCursors; wal?: MemoryWal; policy?: Partial<DeliveryPolicy> }) {
  const wal = options.wal ?? new MemoryWal();
  const cursors = options.cursors ?? new MemoryCursors();
  const deadLetter = new MemoryDeadLetter();
  const clock = fastClock();
  const loop = new SinkLoop({ sink: options.sink, wal, cursors, processor, accepts: cleanOnly, deadLetter, policy: { ...policy, ...options.policy }, log: quietLog, clock, random: () => 1 });
  return { wal, cursors, deadLetter, clock, loop };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('SinkLoop', () => {
  it('delivers routed records in WAL order, saves inflight before writing and commits after', async () => {
    const sink = new ScriptedSink(limits);
    const { wal, cursors, loop } = setup({ sink });
    await appendBatch(wal, 3);
    await appendBatch(wal, 2);
    loop.start();
    await until(() => cursors.current.committed === wal.stats().endLsn, 'commit');
    expect(sink.calls.flat().map((r) => r.zone)).toEqual(Array(5).fill('clean'));
    expect(cursors.saved[0]!.state.inflight).toEqual({ from: 0, to: wal.stats().endLsn });
    expect(cursors.saved.at(-1)!.state).toEqual({ committed: wal.stats().endLsn });
    await appendBatch(wal, 1); // the loop waits for new data without polling, then sends it
    await until(() => sink.calls.flat().length === 6, 'the later batch');
    expect(loop.status()).toMatchObject({ deliveredRecords: 6, lagRecords: 0, lagBytes: 0, lagAgeMs: 0 });
    await loop.stop();
  });

  it('on partial resends only the returned records', async () => {
    const sink = new ScriptedSink(limits, [(records) => ({ status: 'partial', retry: records.slice(1, 3), error: new Error('2 throttled') })]);
    const { wal, cursors, loop } = setup({ sink });
    await appendBatch(wal, 4);
    loop.start();
    await until(() => cursors.current.committed === wal.stats().endLsn, 'commit');
    expect(sink.calls.map((c) => c.length)).toEqual([4, 2]);
    expect(sink.calls[1]).toEqual(sink.calls[0]!.slice(1, 3));
    expect(loop.status()).toMatchObject({ deliveredRecords: 4, writeErrors: 1 });
    await loop.stop();
  });

  it('retries a retryable outcome with backoff and honours retryAfterMs as a floor', async () => {
    const sink = new ScriptedSink(limits, [failWith('busy', 'retryable', 700), failWith('busy')]);
    const { wal, cursors, clock, loop } = setup({ sink });
    await appendBatch(wal, 2);
    loop.start();
    await until(() => cursors.current.committed === wal.stats().endLsn, 'commit');
    expect(sink.calls).toHaveLength(3);
    expect(sink.calls[2]).toEqual(sink.calls[0]);
    expect(clock.sleeps[0]).toBe(700); // Retry-After beats the 100 ms first backoff
    expect(clock.sleeps[1]).toBe(200); // full jitter with random() = 1: base · 2^(try-1)
    await loop.stop();
  });

  it('narrows a refusal to the record at fault: its neighbours land, it alone is dead-lettered with the reason, and the loop moves on', async () => {
    // The sink refuses any chunk holding the second event: the loop halves until only it is left.
    let refused: string | undefined;
    const refuseSecond = (records: readonly SinkRecord[]): SinkOutcome => {
      refused ??= records[1]!.eventId;
      return records.some((r) => r.eventId === refused) ? { status: 'failure', error: new Error('schema mismatch at the sink') } : { status: 'success' };
    };
    const sink = new ScriptedSink(limits, Array.from({ length: 10 }, () => refuseSecond));
    const { wal, cursors, deadLetter, loop } = setup({ sink });
    await appendBatch(wal, 4);
    loop.start();
    await until(() => cursors.current.committed === wal.stats().endLsn, 'commit');
    expect(deadLetter.got).toHaveLength(1);
    expect(deadLetter.got[0]).toMatchObject({ sink: 'test', reason: { code: 'COLLECTOR_SINK_REJECTED', message: expect.stringContaining('schema mismatch') } });
    expect(deadLetter.got[0]!.records.map((r) => r.eventId)).toEqual([refused]);
    expect(sink.calls.map((c) => c.length)).toEqual([4, 2, 1, 1, 2]);
    await appendBatch(wal, 1);
    await until(() => sink.calls.length === 6, 'next batch');
    expect(loop.status()).toMatchObject({ deadLetteredRecords: 1, deliveredRecords: 4 });
    await loop.stop();
  });

  it('dead-letters after retriesMax tries while the sink is otherwise healthy (breaker never opens)', async () => {
    const sink = new ScriptedSink(limits, Array.from({ length: 4 }, () => failWith('flaky')));
    const { wal, cursors, deadLetter, loop } = setup({ sink, policy: { retriesMax: 4, breakerFailuresMax: 100 } });
    await appendBatch(wal, 1);
    loop.start();
    await until(() => cursors.current.committed === wal.stats().endLsn, 'commit');
    expect(sink.calls).toHaveLength(4);
    expect(deadLetter.got[0]!.reason.code).toBe('COLLECTOR_SINK_RETRIES_EXHAUSTED');
    await loop.stop();
  });

  it('opens the breaker after breakerFailuresMax failures: waits breakerOpenMs, probes, and does not dead-letter an outage', async () => {
    const sink = new ScriptedSink(limits, Array.from({ length: 8 }, () => failWith('sink down')));
    const { wal, cursors, deadLetter, clock, loop } = setup({ sink, policy: { retriesMax: 3, breakerFailuresMax: 2, breakerOpenMs: 500 } });
    await appendBatch(wal, 1);
    loop.start();
    await until(() => cursors.current.committed === wal.stats().endLsn, 'commit after the outage');
    expect(sink.calls).toHaveLength(9); // 8 failures, then success: an outage longer than retriesMax
    expect(deadLetter.got).toEqual([]);
    expect(clock.sleeps.filter((ms) => ms > 400 && ms <= 500).length).toBeGreaterThanOrEqual(6); // open waits
    expect(loop.status().breaker).toBe('closed');
    await loop.stop();
  });

  it('dead-letters a record over recordBytesMax and delivers the rest', async () => {
    const sink = new ScriptedSink({ ...limits, recordBytesMax: 512 });
    const { wal, cursors, deadLetter, loop } = setup({ sink });
    const [small, big] = events(2);
    const body = await encodeFrame([small!, { ...big!, properties: { blob: 'x'.repeat(1000) } }], { codec: identityCodec, encoding: msgpackEncoding });
    wal.append(encodeIngestRecord({ v: 1, source: 'dev', receivedAtMs: Date.now(), requestId: 'r-big', contentKind: 'frame', body }));
    loop.start();
    await until(() => cursors.current.committed === wal.stats().endLsn, 'commit');
    expect(sink.calls.flat().map((r) => r.eventId)).toEqual([small!.id]);
    expect(deadLetter.got).toHaveLength(1);
    expect(deadLetter.got[0]!.records.map((r) => r.eventId)).toEqual([big!.id]);
    expect(deadLetter.got[0]!.reason).toMatchObject({ code: 'COLLECTOR_RECORD_TOO_LARGE', message: expect.stringContaining('512-byte limit') });
    await loop.stop();
  });

  it('replays the identical inflight batch after a crash, even though more WAL data arrived since', async () => {
    const hang: ((records: readonly SinkRecord[]) => Promise<SinkOutcome>) = () => new Promise(() => undefined);
    const first = new ScriptedSink({ ...limits, recordsMax: 5 }, [hang]);
    const cursors = new MemoryCursors();
    const wal = new MemoryWal();
    const a = setup({ sink: first, cursors, wal });
    await appendBatch(wal, 3);
    await appendBatch(wal, 2);
    await appendBatch(wal, 4); // would overflow recordsMax 5: not in the first batch
    a.loop.start();
    await until(() => first.calls.length === 1, 'first write');
    await a.loop.stop(); // the crash: the write never finished
    expect(cursors.current.committed).toBe(0);
    expect(cursors.current.inflight).toBeDefined();
    await appendBatch(wal, 1);

    const second = new ScriptedSink({ ...limits, recordsMax: 5 });
    const b = setup({ sink: second, cursors, wal });
    b.loop.start();
    await until(() => cursors.current.committed === wal.stats().endLsn, 'catch up');
    const key = (r: SinkRecord) => `${r.lsn}/${r.index}/${r.json}`;
    expect(second.calls[0]!.map(key)).toEqual(first.calls[0]!.map(key));
    expect(second.calls.flat()).toHaveLength(10);
    await b.loop.stop();
  });

  it('drain delivers what is pending despite a long linger, then stops', async () => {
    const sink = new ScriptedSink({ ...limits, lingerMs: 60_000 });
    const { wal, cursors, loop } = setup({ sink });
    loop.start();
    await appendBatch(wal, 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(sink.calls).toHaveLength(0); // lingering
    expect(await loop.drain(2000)).toBe(true);
    expect(sink.calls.flat()).toHaveLength(2);
    expect(cursors.current).toEqual({ committed: wal.stats().endLsn });
    expect(loop.status().state).toBe('stopped');
  });

  it('a replayed range the WAL no longer holds (skipped as corrupt, or released) moves the cursor past it and delivery goes on', async () => {
    const sink = new ScriptedSink(limits);
    const wal = new MemoryWal();
    await appendBatch(wal, 1);
    const lost = wal.records.shift()!; // the in-flight record can no longer be read
    await appendBatch(wal, 2);
    const cursors = new MemoryCursors({ committed: 0, inflight: { from: 0, to: lost.nextLsn } });
    const { loop } = setup({ sink, wal, cursors });
    loop.start();
    await until(() => cursors.current.committed === wal.stats().endLsn, 'commit past the lost range and the next record');
    expect(sink.calls.flat()).toHaveLength(2);
    expect(cursors.saved.map((s) => s.state.committed)).toContain(lost.nextLsn);
    expect(loop.status().state).toBe('running');
    await loop.stop();
  });
});
