/**
 * The Parquet baseline the lake bench measures against: the S3 sink's former writer (@dsnp/parquetjs,
 * JSON-string columns, PLAIN encoding). Kept here only to be measured.
 *
 * Parquet files for the S3 sink, with a schema derived from the event envelope
 * (shared/src/event.ts): its top-level fields are typed columns with the envelope's own names
 * (so one query reads the NDJSON and the Parquet lake alike), times are TIMESTAMP_MILLIS,
 * and the free-form objects (`context`, `properties`, `traits`) are JSON strings, as Athena and
 * DuckDB read them with `json_extract`. Any other top-level key (audit and failed-zone records)
 * goes into the `extra` JSON column, so a file never loses a field it was given.
 */
import { Writable } from 'node:stream';
import parquet from '@dsnp/parquetjs';
import type { SinkRecord } from '../../src/sinks/sink.js';

export type ParquetCompression = 'SNAPPY' | 'GZIP';

/** Rows per row group: ~20-40 MiB of typical events, a size Athena and Spark split well. */
const ROW_GROUP_ROWS = 50_000;

const STRING_FIELDS = ['id', 'type', 'kind', 'source', 'anonymousId', 'userId', 'sessionId', 'groupId', 'previousId'] as const;
const TIME_FIELDS = ['timestamp', 'sentAt', 'receivedAt'] as const;
const JSON_FIELDS = ['context', 'properties', 'traits'] as const;
const KNOWN = new Set<string>([...STRING_FIELDS, ...TIME_FIELDS, ...JSON_FIELDS, 'schema']);

type Row = Record<string, string | Date | undefined>;

export function envelopeParquetSchema(compression: ParquetCompression): InstanceType<typeof parquet.ParquetSchema> {
  const column = (type: 'UTF8' | 'TIMESTAMP_MILLIS') => ({ type, optional: true, compression });
  const fields: Record<string, ReturnType<typeof column>> = {};
  for (const name of STRING_FIELDS) fields[name] = column('UTF8');
  for (const name of TIME_FIELDS) fields[name] = column('TIMESTAMP_MILLIS');
  for (const name of JSON_FIELDS) fields[name] = column('UTF8');
  fields.schemaName = column('UTF8');
  fields.schemaVersion = column('UTF8');
  fields.extra = column('UTF8');
  return new parquet.ParquetSchema(fields);
}

/** One record's JSON as a row; never throws on odd input, it lands in `extra` instead. */
export function envelopeRow(json: string): Row {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { extra: json };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { extra: json };
  const source = value as Record<string, unknown>;
  const row: Row = {};
  const extra: Record<string, unknown> = {};
  for (const name of STRING_FIELDS) {
    const field = source[name];
    if (typeof field === 'string') row[name] = field;
    else if (field !== undefined) extra[name] = field;
  }
  for (const name of TIME_FIELDS) {
    const field = source[name];
    const ms = typeof field === 'string' ? Date.parse(field) : Number.NaN;
    if (Number.isFinite(ms)) row[name] = new Date(ms);
    else if (field !== undefined) extra[name] = field;
  }
  for (const name of JSON_FIELDS) if (source[name] !== undefined) row[name] = JSON.stringify(source[name]);
  const schema = source.schema as { name?: unknown; version?: unknown } | undefined;
  if (typeof schema?.name === 'string' && typeof schema.version === 'string') {
    row.schemaName = schema.name;
    row.schemaVersion = schema.version;
  } else if (schema !== undefined) extra.schema = schema;
  for (const [key, field] of Object.entries(source)) if (!KNOWN.has(key)) extra[key] = field;
  if (Object.keys(extra).length > 0) row.extra = JSON.stringify(extra);
  return row;
}

export async function encodeParquet(records: readonly SinkRecord[], compression: ParquetCompression): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  // An in-memory stream: the file is uploaded whole (multipart when large), never touches disk.
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const stream = sink as unknown as Parameters<typeof parquet.ParquetWriter.openStream>[1];
  const writer = await parquet.ParquetWriter.openStream(envelopeParquetSchema(compression), stream, { rowGroupSize: ROW_GROUP_ROWS });
  for (const record of records) await writer.appendRow(envelopeRow(record.json));
  await writer.close();
  return Buffer.concat(chunks);
}
