/**
 * The dead-letter path: records a sink refused for good (`failure`) or that used up their tries
 * land in the `failed` zone of the local lake, each line `{ deadLetter: { sink, code, message },
 * zone, record }`, in files named `dlq-<sink>-<WAL position>` so a replay overwrites them.
 */
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
      const head = JSON.stringify({ sink: sinkName, code: reason.code, message: reason.message });
      return lake.write(
        records.map((record) => ({ ...record, zone: 'failed', json: `{"deadLetter":${head},"zone":"${record.zone}","record":${record.json}}` })),
        AbortSignal.timeout(60_000),
      );
    },
  };
}
