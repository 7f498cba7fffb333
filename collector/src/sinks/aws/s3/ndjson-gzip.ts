/** Gzip NDJSON: one lake row per line, as in the local lake; readable by zcat, Athena, DuckDB. */
import { gzipOnThread } from '../../gzip-on-thread.js';

export async function encodeNdjsonGzip(lines: readonly string[], level: number): Promise<Uint8Array> {
  return gzipOnThread(Buffer.from(`${lines.join('\n')}\n`, 'utf8'), level);
}
