/**
 * Counts, per event id, how many WAL records hold it, by reading the WAL of a stopped collector.
 * With it a test can tell a replayed WAL record (a bug: the same record delivered twice) from a
 * client's resend after a lost ack (two WAL records; the deduper will collapse them).
 */
import { decodeFrame, jsonEncoding, msgpackEncoding, identityCodec } from '@shopstream/shared';
import { gzipZlibCodec, lz4Codec } from '@shopstream/shared/node';
import { decodeIngestRecord } from '../../../collector/src/pipeline/ingest-record.js';
import { openWal } from '../../../collector/src/wal/index.js';

export async function walRecordsPerEventId(walDir: string): Promise<Map<string, number>> {
  const wal = await openWal({ dir: walDir });
  const counts = new Map<string, number>();
  try {
    let next = 0;
    for (;;) {
      let seen = 0;
      for await (const record of wal.read(next, 1024)) {
        seen += 1;
        next = record.nextLsn;
        const ingest = decodeIngestRecord(record.data);
        const items = ingest.contentKind === 'frame'
          ? await decodeFrame(ingest.body, { codecs: { 0: identityCodec, 1: lz4Codec, 2: gzipZlibCodec }, encodings: { 0: msgpackEncoding, 1: jsonEncoding }, maxDecodedBytes: 64 << 20 })
          : (JSON.parse(Buffer.from(ingest.body).toString('utf8')) as unknown[]);
        for (const id of new Set(items.map((item) => (item as { id: string }).id))) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      if (seen === 0) break;
    }
  } finally {
    await wal.close();
  }
  return counts;
}

/** How often each id occurs among lake lines. */
export function occurrences(lines: readonly { value: Record<string, unknown> }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const id = line.value.id as string;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
