/** Gzip NDJSON: one record's JSON per line, as in the local lake; readable by zcat, Athena, DuckDB. */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { SinkRecord } from '../sink.js';

const gzipAsync = promisify(gzip);

export async function encodeNdjsonGzip(records: readonly SinkRecord[], level: number): Promise<Uint8Array> {
  let text = '';
  for (const record of records) text += `${record.json}\n`;
  return gzipAsync(Buffer.from(text, 'utf8'), { level });
}
