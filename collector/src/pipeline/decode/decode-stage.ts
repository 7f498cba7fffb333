/**
 * decode: the WAL record's body → items. Frames are checked (header, CRC), opened when sealed
 * (decrypt lives here: the Opener holds the private keys) and decompressed within
 * limits.decodedBytesMax; JSON bodies are parsed and mapped from the trackers' shapes (Segment and
 * RudderStack batches and single calls, stored Snowplow payloads) onto envelope-shaped items.
 * The events-per-batch limit is applied to what the body turns out to hold.
 */
import { checkFrame, decodeFramePayload, identityCodec, isSharedError, jsonEncoding, type CodecSet, type EncodingSet, type Opener } from '@shopstream/shared';
import { crc32cNative, gzipZlibCodec, lz4Codec } from '@shopstream/shared/node';
import { OK, reject, type Stage, type StageOutcome, type BatchUnderWork } from '../chain/stage.js';
import { refuseEventsPerBatch } from '../limits/events-per-batch.js';
import { segmentToEnvelopes } from '../segment/segment-to-envelopes.js';
import { isSnowplowBody } from '../snowplow/snowplow-payload.js';
import { snowplowToEnvelopes } from '../snowplow/snowplow-to-envelopes.js';
import { EVENT_VALUE_LIMITS_DEFAULT } from '../limits/event-guard-stage.js';
import type { EventValueLimits } from '../limits/event-value-guard.js';
import { guardedMsgpackEncoding, holdsUndecodedItems, UndecodedItem } from './msgpack-item-by-item.js';

export interface DecodeStageOptions {
  readonly decodedBytesMax: number;
  readonly eventsPerBatchMax: number;
  /** Private keys for sealed frames. */
  readonly opener?: Opener;
  readonly codecs?: CodecSet;
  /** Depth and per-event size, applied to msgpack bytes before they are decoded (./msgpack-item-by-item.ts). */
  readonly eventValue?: EventValueLimits;
}

const NODE_CODECS: CodecSet = { [identityCodec.id]: identityCodec, [lz4Codec.id]: lz4Codec, [gzipZlibCodec.id]: gzipZlibCodec };
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeStage(options: DecodeStageOptions): Stage {
  const msgpack = guardedMsgpackEncoding(options.eventValue ?? EVENT_VALUE_LIMITS_DEFAULT);
  const encodings = { [msgpack.id]: msgpack, [jsonEncoding.id]: jsonEncoding };
  return {
    name: 'decode',
    async run(batch) {
      const decoded = batch.ingest.contentKind === 'frame' ? await decodeFrameItems(batch, options, encodings) : decodeJsonItems(batch);
      if (decoded.status !== 'ok') return decoded;
      // Items the decoder already refused (one by one) count toward the batch's size too.
      const refusedAtDecode = batch.rejected.filter((r) => r.stage === 'decode').length;
      const tooMany = refuseEventsPerBatch(batch.decoded.length + refusedAtDecode, options.eventsPerBatchMax);
      return tooMany ? reject(tooMany.code, tooMany.message) : OK;
    },
  };
}

async function decodeFrameItems(batch: BatchUnderWork, options: DecodeStageOptions, encodings: EncodingSet): Promise<StageOutcome> {
  try {
    const body = batch.ingest.body;
    const header = checkFrame(body, undefined, crc32cNative);
    batch.decoded = await decodeFramePayload(body, header, {
      codecs: options.codecs ?? NODE_CODECS,
      encodings,
      maxDecodedBytes: options.decodedBytesMax,
      ...(options.opener ? { opener: options.opener } : {}),
    });
    if (holdsUndecodedItems(batch.decoded)) {
      for (const item of batch.decoded) if (item instanceof UndecodedItem) batch.rejected.push({ item: item.sample, code: item.code, message: item.message, stage: 'decode' });
      batch.decoded = batch.decoded.filter((item) => !(item instanceof UndecodedItem));
    }
    return OK;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!isSharedError(error)) return reject('COLLECTOR_UNDECODABLE_BATCH', message);
    // The limit is this stage's (it passes limits.decodedBytesMax to the codec): its code.
    if (error.code === 'SHARED_PAYLOAD_TOO_LARGE') return reject('COLLECTOR_LIMIT_DECODED_BYTES', `${message} (limits.decodedBytesMax)`);
    return reject(error.code, message); // the frame layer's own code (SHARED_FRAME_CRC_MISMATCH, SHARED_CRYPTO_TAMPERED, …)
  }
}

function decodeJsonItems(batch: BatchUnderWork): StageOutcome {
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(batch.ingest.body));
  } catch (error) {
    return reject('COLLECTOR_BAD_JSON', `JSON body cannot be parsed: ${(error as Error).message}`);
  }
  if (isSnowplowBody(body)) {
    const mapped = snowplowToEnvelopes(body.batch, batch.receivedAt);
    for (const refusal of mapped.refused) batch.rejected.push({ ...refusal, stage: 'decode' });
    batch.decoded = mapped.items;
    return OK;
  }
  // The ack path let only batches in (jsonBatchItems); anything else in the array is refused per item by stamp.
  batch.decoded = segmentToEnvelopes(body, batch.receivedAt);
  return OK;
}

/** `[...]` or Segment's `{ batch: [...] }` (also one Segment message, stored by /v1/track & co. as a batch); undefined otherwise. */
export function jsonBatchItems(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object' && Array.isArray((value as { batch?: unknown }).batch)) return (value as { batch: unknown[] }).batch;
  return undefined;
}
