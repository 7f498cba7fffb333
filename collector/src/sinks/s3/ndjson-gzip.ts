/** Gzip NDJSON: one record's JSON per line, as in the local lake; readable by zcat, Athena, DuckDB. */
import { gzipOnThread } from '../gzip-on-thread.js';
import type { SinkRecord } from '../sink.js';

export async function encodeNdjsonGzip(records: readonly SinkRecord[], level: number): Promise<Uint8Array> {
  let text = '';
  for (const record of records) text += `${record.json}\n`;
  return gzipOnThread(Buffer.from(text, 'utf8'), level);
}
