import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * Event ids in the lake's `clean` zone, sorted, duplicates kept. Skips `.tmp-` files, which the
 * lake may still be writing (a test polls while delivery runs).
 */
export async function cleanIds(lakeDir: string): Promise<string[]> {
  const files = (await readdir(join(lakeDir, 'clean'), { recursive: true, withFileTypes: true }).catch(() => [])).filter(
    (e) => e.isFile() && e.name.endsWith('.ndjson.gz') && !e.name.startsWith('.tmp'),
  );
  const ids: string[] = [];
  for (const f of files) for (const line of gunzipSync(await readFile(join(f.parentPath, f.name))).toString().trim().split('\n')) ids.push(JSON.parse(line).id);
  return ids.sort();
}
