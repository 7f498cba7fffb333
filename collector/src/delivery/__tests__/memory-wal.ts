/**
 * Test doubles for the delivery loop: an in-memory log with the WAL's reading contract (Lsns are
 * byte offsets, readers wait on `waitForAppend`), an in-memory cursor store, a scripted sink and a
 * dead letter that keeps what it gets. The loop under test and the processor are the real ones.
 */
import { encodeFrame, identityCodec, msgpackEncoding, type EventEnvelope } from '@shopstream/shared';
import { pino } from 'pino';
import type { CursorState } from '../../wal/cursor-store.js';
import type { Lsn, WalRecord, WalStats } from '../../wal/wal.js';
import type { Sink, SinkLimits, SinkOutcome, SinkRecord } from '../../sinks/sink.js';
import { encodeIngestRecord } from '../../pipeline/ingest-record.js';
import type { DeadLetter, DeadLetterReason } from '../dead-letter.js';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';

export class MemoryWal {
  readonly records: WalRecord[] = [];
  private end = 0;
  private waiters: (() => void)[] = [];

  append(data: Uint8Array): Lsn {
    const lsn = this.end;
    this.end += 12 + data.length;
    this.records.push({ lsn, nextLsn: this.end, data });
    for (const wake of this.waiters.splice(0)) wake();
    return lsn;
  }

  async *read(from: Lsn, countMax: number): AsyncIterable<WalRecord> {
    let n = 0;
    for (const record of this.records) {
      if (record.lsn < from) continue;
      if (n++ >= countMax) return;
      yield record;
    }
  }

  waitForAppend(afterLsn: Lsn, signal?: AbortSignal): Promise<boolean> {
    if (this.end > afterLsn) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => resolve(true);
      this.waiters.push(wake);
      signal?.addEventListener('abort', () => resolve(false), { once: true });
    });
  }

  stats(): WalStats {
    return { bytesOnDisk: this.end, segmentCount: 1, oldestLsn: 0, endLsn: this.end, appendedRecords: this.records.length, appendedBytes: this.end, fsyncCount: 0, lastFsyncLatencyMs: 0, corruptRecordsSkipped: 0, queuedBytes: 0 };
  }
}

export class MemoryCursors {
  readonly saved: { name: string; state: CursorState }[] = [];
  constructor(private state: CursorState = { committed: 0 }) {}
  async load(): Promise<CursorState> {
    return this.state;
  }
  async save(name: string, state: CursorState): Promise<void> {
    this.saved.push({ name, state });
    this.state = state;
  }
  get current(): CursorState {
    return this.state;
  }
}

/** A sink that answers from a script (then `success`) and remembers every call. */
export class ScriptedSink implements Sink {
  readonly name = 'test';
  readonly calls: SinkRecord[][] = [];
  constructor(
    readonly limits: SinkLimits,
    private readonly script: ((records: readonly SinkRecord[]) => SinkOutcome | Promise<SinkOutcome>)[] = [],
  ) {}
  async write(records: readonly SinkRecord[]): Promise<SinkOutcome> {
    this.calls.push([...records]);
    const next = this.script.shift();
    return next ? next(records) : { status: 'success' };
  }
}

export class MemoryDeadLetter implements DeadLetter {
  readonly got: { sink: string; records: SinkRecord[]; reason: DeadLetterReason }[] = [];
  async write(sink: string, records: readonly SinkRecord[], reason: DeadLetterReason): Promise<SinkOutcome> {
    this.got.push({ sink, records: [...records], reason });
    return { status: 'success' };
  }
}

/** Real time, but sleeps are cut to 2 ms; the asked-for durations are kept for assertions. */
export function fastClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, now: () => Date.now(), sleep: (ms, signal) => (sleeps.push(ms), systemClock.sleep(Math.min(ms, 2), signal)) };
}

export const quietLog = pino({ level: 'silent' });

let counter = 0;
export function events(count: number): EventEnvelope[] {
  return Array.from({ length: count }, () => {
    counter += 1;
    return { id: `0190f5a8-0000-7000-8000-${String(counter).padStart(12, '0')}`, type: 'Product Viewed', timestamp: '2026-11-23T09:00:00.000Z', properties: { n: counter } };
  });
}

export async function appendBatch(wal: MemoryWal, count: number, receivedAtMs = Date.parse('2026-11-23T09:00:00Z')): Promise<Lsn> {
  const body = await encodeFrame(events(count), { codec: identityCodec, encoding: msgpackEncoding });
  return wal.append(encodeIngestRecord({ v: 1, source: 'dev', receivedAtMs, requestId: `r${counter}`, contentKind: 'frame', body }));
}
