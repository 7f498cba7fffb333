/**
 * The consumer side of the collector's Kinesis sink, for an AWS Lambda handler (or any loop over
 * GetRecords): Kinesis event → user records (KPL aggregation undone, ./deaggregate.ts) → parsed
 * events, with duplicate event ids dropped within a window (./recent-ids.ts). Kinesis delivery
 * is at least once; this makes what the handler sees once per id within the window.
 *
 *   const consume = createKinesisConsumer();            // module scope: the window outlives one invocation
 *   export const handler = async (event) => {
 *     const { events, rejected } = await consume(event);
 *     ... write events ...; rejected records carry their reason for a dead-letter queue
 *   };
 *
 * Nothing throws for bad data: a corrupt aggregate or a record that is not JSON with an `id` is
 * returned in `rejected` with a stable code, and the rest of the batch goes on.
 */
import { deaggregate } from './deaggregate.js';
import { recentIds, type Deduper } from './recent-ids.js';

/** The fields of a Lambda Kinesis event this helper reads (`aws-lambda`'s `KinesisStreamEvent`). */
export interface KinesisStreamEvent {
  readonly Records: readonly {
    readonly kinesis: { readonly data: string; readonly partitionKey: string; readonly sequenceNumber: string; readonly approximateArrivalTimestamp?: number };
    readonly eventID?: string;
  }[];
}

export interface ConsumedEvent<T> {
  readonly event: T;
  readonly id: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
}

export type RejectCode = 'KINESIS_AGGREGATE_BAD_DIGEST' | 'KINESIS_AGGREGATE_BAD_PROTOBUF' | 'KINESIS_RECORD_NOT_JSON' | 'KINESIS_RECORD_NO_ID';

export interface RejectedRecord {
  readonly code: RejectCode;
  readonly reason: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber?: number;
  readonly data: Uint8Array;
}

export interface ConsumeResult<T> {
  /** First sightings, in stream order. */
  readonly events: ConsumedEvent<T>[];
  /** User records dropped as repeats of an id already seen. */
  readonly duplicates: number;
  readonly rejected: RejectedRecord[];
  /** User records read (aggregates counted by what they hold). */
  readonly userRecords: number;
}

export interface KinesisConsumerOptions<T> {
  /** Where seen ids are kept; default an in-memory window (100,000 ids, 1 h). */
  readonly deduper?: Deduper;
  /** Bytes → event; default UTF-8 JSON. Throwing rejects the record (`KINESIS_RECORD_NOT_JSON`). */
  readonly parse?: (data: Uint8Array) => T;
  /** The event's id; default its `id` field (the envelope's UUIDv7). */
  readonly idOf?: (event: T) => unknown;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function createKinesisConsumer<T = Record<string, unknown>>(options: KinesisConsumerOptions<T> = {}): (event: KinesisStreamEvent) => Promise<ConsumeResult<T>> {
  const deduper = options.deduper ?? recentIds();
  const parse = options.parse ?? ((data: Uint8Array) => JSON.parse(utf8.decode(data)) as T);
  const idOf = options.idOf ?? ((event: T) => (event as { id?: unknown } | null)?.id);
  return async (input) => {
    const candidates: ConsumedEvent<T>[] = [];
    const rejected: RejectedRecord[] = [];
    let userRecords = 0;
    for (const { kinesis } of input.Records) {
      const data = Buffer.from(kinesis.data, 'base64');
      const outcome = deaggregate(data, kinesis.partitionKey);
      if (outcome.status === 'failure') {
        const code = outcome.reason === 'bad-digest' ? 'KINESIS_AGGREGATE_BAD_DIGEST' : 'KINESIS_AGGREGATE_BAD_PROTOBUF';
        rejected.push({ code, reason: `an aggregated record failed its ${outcome.reason === 'bad-digest' ? 'MD5 check' : 'protobuf decoding'}`, sequenceNumber: kinesis.sequenceNumber, data });
        continue;
      }
      for (const record of outcome.records) {
        userRecords += 1;
        const where = { sequenceNumber: kinesis.sequenceNumber, subSequenceNumber: record.subSequenceNumber, data: record.data };
        let event: T;
        try {
          event = parse(record.data);
        } catch (error) {
          rejected.push({ code: 'KINESIS_RECORD_NOT_JSON', reason: `the record is not an event: ${(error as Error).message}`, ...where });
          continue;
        }
        const id = idOf(event);
        if (typeof id !== 'string' || id === '') {
          rejected.push({ code: 'KINESIS_RECORD_NO_ID', reason: 'the event has no string id to deduplicate by', ...where });
          continue;
        }
        candidates.push({ event, id, partitionKey: record.partitionKey, sequenceNumber: kinesis.sequenceNumber, subSequenceNumber: record.subSequenceNumber });
      }
    }
    const first = await deduper.firstSeen(candidates.map((c) => c.id));
    const events = candidates.filter((_, i) => first[i]);
    return { events, duplicates: candidates.length - events.length, rejected, userRecords };
  };
}
