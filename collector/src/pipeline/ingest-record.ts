/**
 * The one WAL record written per accepted request. The body is kept as received (a frame
 * exactly as sent, or the JSON text after any `Content-Encoding` is undone) so decoding,
 * validation and dedupe all happen after the WAL, off the acknowledgement path, and a bug in
 * them can be fixed and replayed without losing data.
 */
import { Packr } from 'msgpackr';

export type ContentKind = 'frame' | 'json';

export interface IngestRecord {
  readonly v: 1;
  /** Source id from the authenticated write key. */
  readonly source: string;
  readonly receivedAtMs: number;
  readonly requestId: string;
  readonly contentKind: ContentKind;
  readonly body: Uint8Array;
}

// Plain msgpack (no records extension): any msgpack reader can inspect a WAL record.
const packr = new Packr({ useRecords: false, moreTypes: false });

export function encodeIngestRecord(record: IngestRecord): Uint8Array {
  return packr.pack(record);
}

/** Throws when the bytes are not an ingest record of a version this collector reads. */
export function decodeIngestRecord(bytes: Uint8Array): IngestRecord {
  const value = packr.unpack(bytes) as Partial<IngestRecord> | null;
  if (
    !value ||
    value.v !== 1 ||
    typeof value.source !== 'string' ||
    typeof value.receivedAtMs !== 'number' ||
    typeof value.requestId !== 'string' ||
    (value.contentKind !== 'frame' && value.contentKind !== 'json') ||
    !(value.body instanceof Uint8Array)
  ) {
    throw new Error('WAL record is not a version-1 ingest record');
  }
  return value as IngestRecord;
}
