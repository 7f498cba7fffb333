/**
 * The dead-letter path: records a sink refused for good (`failure`) or that used up their tries
 * land in the `failed` zone of the local lake, each line `{ deadLetter: { sink, code, message },
 * zone, record }`, in files named `dlq-<sink>-<WAL position>` so a replay overwrites them; or,
 * with `delivery.deadLetterSink`, in the `failed` zone of that sink (S3), one sink per failing
 * sink so their object names never collide.
 */
import type { Sink } from '../sinks/sink.js';
import type { SinkOutcome, SinkLimits, SinkRecord } from '../sinks/sink.js';
import { createLakeSink } from '../sinks/lake/lake-sink.js';

export interface DeadLetterReason {
  readonly code: string;
  readonly message: string;
}

export interface DeadLetter {
  write(sinkName: string, records: readonly SinkRecord[], reason: DeadLetterReason): Promise<SinkOutcome>;
}

const DEAD_LETTER_LIMITS: SinkLimits = { recordsMax: Number.MAX_SAFE_INTEGER, bytesMax: Number.MAX_SAFE_INTEGER, recordBytesMax: Number.MAX_SAFE_INTEGER, lingerMs: 0 };

export function createLakeDeadLetter(lakeDir: string, gzipLevel = 6): DeadLetter {
  return {
    write(sinkName, records, reason) {
      const lake = createLakeSink({ name: `dlq-${sinkName}`, dir: lakeDir, limits: DEAD_LETTER_LIMITS, gzipLevel, filePrefix: `dlq-${sinkName}-` });
      return lake.write(asDeadLetters(sinkName, records, reason), AbortSignal.timeout(DEAD_LETTER_WRITE_TIMEOUT_MS));
    },
  };
}

const DEAD_LETTER_WRITE_TIMEOUT_MS = 60_000;

/** The failed-zone rows of dead letters: what went wrong, and the record as it was. */
function asDeadLetters(sinkName: string, records: readonly SinkRecord[], reason: DeadLetterReason): SinkRecord[] {
  const head = JSON.stringify({ sink: sinkName, code: reason.code, message: reason.message });
  return records.map((record) => ({ ...record, zone: 'failed', json: `{"deadLetter":${head},"zone":"${record.zone}","record":${record.json}}` }));
}

/** Dead letters through another sink (`delivery.deadLetterSink`): `sinkFor` builds one per failing sink, once. */
export function createSinkDeadLetter(sinkFor: (failingSink: string) => Promise<Sink>): DeadLetter {
  const sinks = new Map<string, Promise<Sink>>();
  return {
    async write(sinkName, records, reason) {
      let sink = sinks.get(sinkName);
      if (!sink) sinks.set(sinkName, (sink = sinkFor(sinkName)));
      return (await sink).write(asDeadLetters(sinkName, records, reason), AbortSignal.timeout(DEAD_LETTER_WRITE_TIMEOUT_MS));
    },
  };
}
