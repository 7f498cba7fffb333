import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SinkRecord } from '../../sink.js';
import { lakeFileName } from '../lake-file-name.js';
import { createLakeSink } from '../lake-sink.js';

const at = Date.parse('2026-11-23T09:15:00Z');
const rec = (lsn: number, index: number, eventType = 'Product Viewed', zone: SinkRecord['zone'] = 'clean'): SinkRecord => ({
  lsn, index, zone, source: 'web', eventType, receivedAtMs: at, json: JSON.stringify({ id: `e-${lsn}-${index}`, type: eventType }),
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lake-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function filesUnder(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1)).sort();
}

describe('lake sink', () => {
  it('names files by the WAL position of their first and last record, zero-padded', () => {
    expect(lakeFileName(rec(4096, 0), rec(81920, 12))).toBe('0000000000004096_000000-0000000000081920_000012.ndjson.gz');
    expect(lakeFileName(rec(0, 3), rec(0, 3), 'dlq-kinesis-')).toBe('dlq-kinesis-0000000000000000_000003-0000000000000000_000003.ndjson.gz');
  });

  it('writes one gzip NDJSON file per Hive partition, and a replay rewrites the same files', async () => {
    const sink = createLakeSink({ name: 'lake', dir, limits: { recordsMax: 100, bytesMax: 1 << 20, recordBytesMax: 1 << 20, lingerMs: 0 }, gzipLevel: 6 });
    const batch = [rec(100, 0), rec(100, 1, 'Order Completed'), rec(200, 0), rec(200, 1, 'request', 'audit')];
    expect(await sink.write(batch, AbortSignal.timeout(5000))).toEqual({ status: 'success' });
    const files = await filesUnder(dir);
    expect(files).toEqual([
      'audit/source=web/event_type=request/dt=2026-11-23/hr=09/0000000000000200_000001-0000000000000200_000001.ndjson.gz',
      'clean/source=web/event_type=order_completed/dt=2026-11-23/hr=09/0000000000000100_000001-0000000000000100_000001.ndjson.gz',
      'clean/source=web/event_type=product_viewed/dt=2026-11-23/hr=09/0000000000000100_000000-0000000000000200_000000.ndjson.gz',
    ]);
    const lines = gunzipSync(await readFile(join(dir, files[2]!))).toString().trim().split('\n').map((l) => JSON.parse(l));
    // Lake rows: `kind` always set, `source` the authenticated one, WAL position on every row.
    expect(lines).toEqual([
      { id: 'e-100-0', type: 'Product Viewed', kind: 'track', source: 'web', walLsn: 100, walIndex: 0 },
      { id: 'e-200-0', type: 'Product Viewed', kind: 'track', source: 'web', walLsn: 200, walIndex: 0 },
    ]);
    expect(await sink.write(batch, AbortSignal.timeout(5000))).toEqual({ status: 'success' });
    expect(await filesUnder(dir)).toEqual(files);
  });

  it('reports the records of partitions it could not write as partial, retryable', async () => {
    const sink = createLakeSink({ name: 'lake', dir, limits: { recordsMax: 100, bytesMax: 1 << 20, recordBytesMax: 1 << 20, lingerMs: 0 }, gzipLevel: 1 });
    await writeFile(join(dir, 'audit'), 'a file where the audit zone should be');
    const ok = rec(1, 0);
    const blocked = rec(1, 1, 'request', 'audit');
    const outcome = await sink.write([ok, blocked], AbortSignal.timeout(5000));
    expect(outcome).toMatchObject({ status: 'partial', retry: [blocked] });
    expect(await sink.write([blocked], AbortSignal.timeout(5000))).toMatchObject({ status: 'retryable' });
  });
});
