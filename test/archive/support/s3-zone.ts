/** Reads the S3 sink's clean zone back: every event of every `.ndjson.gz` object, with its key. */
import { gunzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { getObject, listKeys } from '../../aws/s3-read.js';

export async function readS3Zone(client: S3Client, bucket: string, prefix: string, zone: 'clean' | 'raw'): Promise<{ key: string; id: string }[]> {
  const out: { key: string; id: string }[] = [];
  for (const key of await listKeys(client, bucket, `${prefix}/${zone}/`)) {
    if (!key.endsWith('.ndjson.gz')) continue;
    for (const line of gunzipSync(await getObject(client, bucket, key)).toString('utf8').split('\n')) {
      if (line !== '') out.push({ key, id: (JSON.parse(line) as { id: string }).id });
    }
  }
  return out;
}

/** Ids that appear more than once, and expected ids that are missing. */
export function exactlyOnceReport(expected: readonly string[], landed: readonly { id: string }[]): { missing: string[]; duplicates: string[] } {
  const counts = new Map<string, number>();
  for (const { id } of landed) counts.set(id, (counts.get(id) ?? 0) + 1);
  return {
    missing: expected.filter((id) => !counts.has(id)),
    duplicates: [...counts].filter(([, n]) => n > 1).map(([id]) => id),
  };
}
