/**
 * Post-WAL processing: one WAL record (an ingest record, one request) becomes the records every
 * sink may receive, by running the chain (an ordered list of stages, built in one place:
 * ./chain/build-chain.ts) over one `BatchUnderWork` and emitting its zones
 * (./chain/emit-records.ts).
 *
 * The outcome is a value: `processed` with the records, or `retry` when a stage's dependency is
 * down (the delivery loop backs off and processes the record again). Whatever else goes wrong
 * (a stage rejects the request, a stage has a bug) becomes failed-zone records with the reason,
 * so a sink's cursor always moves on.
 *
 * Invariant: processing is a pure function of the WAL record. A crash replays the record and
 * every sink re-processes it, so a stage must give the same answer on a replay (a deduper
 * keys "first seen" by event id *and* Lsn).
 */
import type { SinkRecord } from '../sinks/sink.js';
import type { Lsn, WalRecord } from '../wal/wal.js';
import { emitRecords, messageOf, unprocessableRecords } from './chain/emit-records.js';
import type { BatchUnderWork, Stage } from './chain/stage.js';
import { decodeIngestRecord, type IngestRecord } from './ingest-record.js';

export type { BatchUnderWork, Rejection, Stage, StageOutcome } from './chain/stage.js';

export interface ProcessedRecord {
  readonly status: 'processed';
  readonly lsn: Lsn;
  readonly receivedAtMs: number;
  readonly records: readonly SinkRecord[];
}

export type ProcessOutcome = ProcessedRecord | { readonly status: 'retry'; readonly stage: string; readonly error: Error };

export interface Processor {
  process(record: WalRecord): Promise<ProcessOutcome>;
}

export function createProcessor(stages: readonly Stage[]): Processor {
  if (new Set(stages.map((s) => s.name)).size !== stages.length) throw new Error(`the chain names a stage twice: ${stages.map((s) => s.name).join(' → ')}`);
  return {
    async process(walRecord) {
      const { lsn } = walRecord;
      let ingest: IngestRecord;
      try {
        ingest = decodeIngestRecord(walRecord.data);
      } catch (error) {
        return { status: 'processed', lsn, receivedAtMs: 0, records: unprocessableRecords(lsn, undefined, { code: 'COLLECTOR_UNDECODABLE_BATCH', message: messageOf(error), stage: 'ingest-record' }) };
      }
      const batch: BatchUnderWork = {
        lsn, ingest, receivedAt: new Date(ingest.receivedAtMs).toISOString(),
        decoded: [], raw: [], events: [], rejected: [], duplicates: 0, serialized: new Map(),
      };
      for (const stage of stages) {
        let outcome;
        try {
          outcome = await stage.run(batch);
        } catch (error) {
          // A stage answers with values; a throw is its bug. It still must not stop delivery.
          outcome = { status: 'reject' as const, code: 'COLLECTOR_INTERNAL' as const, message: `stage ${stage.name} failed: ${messageOf(error)}` };
        }
        if (outcome.status === 'retry') return { status: 'retry', stage: stage.name, error: outcome.error };
        if (outcome.status === 'reject') {
          batch.failure = { code: outcome.code, message: outcome.message, stage: stage.name };
          break;
        }
      }
      try {
        return { status: 'processed', lsn, receivedAtMs: ingest.receivedAtMs, records: emitRecords(batch) };
      } catch (error) {
        // emit serialises each record on its own; reaching here is a bug, still not a stall.
        return { status: 'processed', lsn, receivedAtMs: ingest.receivedAtMs, records: unprocessableRecords(lsn, ingest, { code: 'COLLECTOR_UNSERIALIZABLE', message: messageOf(error), stage: 'emit' }) };
      }
    },
  };
}
