import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { expect, it } from 'vitest';
import { createLakeSink } from '../../sinks/lake/lake-sink.js';
import { compactLake, compactionInputs } from '../compaction/compact-lake.js';
import { localCompactionStore } from '../compaction/local-compaction-store.js';
import { createDuckdbSession } from '../duckdb-session.js';
import { buildLakeCatalog } from '../lake-catalog.js';
import { createParquetWriter } from '../parquet-writer.js';

const partition = (...names: string[]) => ({ partition: 'clean/source=web/event_type=x/dt=2026-11-01/hr=08', zone: 'clean' as const, slug: 'x', hourStartMs: 0, files: names.map((name) => ({ name, bytes: 1 << 28 })) });

it('compacts an hour of small files; leaves a lone file and a compacted hour alone; rewrites a compacted hour a late file reached', () => {
  expect(compactionInputs(partition('0001_000000-0002_000001.parquet', '0003_000000-0004_000000.parquet'))).toHaveLength(2);
  expect(compactionInputs(partition('0001_000000-0002_000001.parquet'))).toEqual([]);
  expect(compactionInputs(partition('c-0123456789abcdef-0.parquet', 'c-0123456789abcdef-1.parquet'))).toEqual([]);
  // A replay of a batch already compacted: all files are read again, and duplicates dropped by lineage.
  expect(compactionInputs(partition('0001_000000-0002_000001.parquet', 'c-0123456789abcdef-0.parquet', 'c-0123456789abcdef-1.parquet'))).toHaveLength(3);
});

it('a batch replayed into an hour already compacted is kept once by the next compaction', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lake-replay-'));
  const catalog = buildLakeCatalog([]);
  const at = Date.UTC(2026, 10, 1, 8, 0);
  const rec = (lsn: number) => ({ lsn, index: 0, zone: 'clean' as const, source: 'web', eventType: 'Gift Wrapped', receivedAtMs: at, requestId: `r${lsn}`, json: JSON.stringify({ id: `e${lsn}`, type: 'Gift Wrapped' }) });
  const writer = createParquetWriter();
  const session = createDuckdbSession();
  try {
    const sink = createLakeSink({ name: 'lake', dir, limits: { recordsMax: 10, bytesMax: 1 << 20, recordBytesMax: 1 << 20, lingerMs: 0 }, gzipLevel: 1, catalog, format: 'parquet', parquetWriter: writer });
    const first = [rec(1), rec(2)];
    await sink.write(first, AbortSignal.timeout(10_000));
    await sink.write([rec(3)], AbortSignal.timeout(10_000));
    const compact = () => compactLake(localCompactionStore(dir), { catalog, session, closedAfterMs: 0, nowMs: () => Date.UTC(2030, 0, 1) });
    expect((await compact()).filesAfter).toBe(1);
    await sink.write(first, AbortSignal.timeout(10_000)); // the replay: same records, same file name
    expect(await compact()).toMatchObject({ partitions: 1, filesBefore: 2, filesAfter: 1, rows: 3 });
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    expect((await db.runAndReadAll(`select count(*) as n, count(distinct id) as ids from read_parquet('${dir}/clean/*/*/*/*/*.parquet')`)).getRowObjectsJson()).toEqual([{ n: '3', ids: '3' }]);
    db.closeSync();
  } finally {
    await writer.close();
    await session.close();
    await rm(dir, { recursive: true, force: true });
  }
});
