import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createLakeSink } from '../../sinks/lake/lake-sink.js';
import { startCompactionSchedule } from '../compaction/compaction-schedule.js';
import { localCompactionStore } from '../compaction/local-compaction-store.js';
import { buildLakeCatalog } from '../lake-catalog.js';
import { listLakePartitions } from '../local-lake-files.js';

it('compacts closed hours on its schedule inside the collector, logs once per run that did something, and stops', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lake-schedule-'));
  const catalog = buildLakeCatalog([]);
  const rec = (lsn: number, hour: number) => ({ lsn, index: 0, zone: 'clean' as const, source: 'web', eventType: 'Gift Wrapped', receivedAtMs: Date.UTC(2026, 10, 1, hour), requestId: `r${lsn}`, json: JSON.stringify({ id: `e${lsn}`, type: 'Gift Wrapped' }) });
  const sink = createLakeSink({ name: 'lake', dir, limits: { recordsMax: 10, bytesMax: 1 << 20, recordBytesMax: 1 << 20, lingerMs: 0 }, gzipLevel: 1, catalog });
  for (let lsn = 1; lsn <= 4; lsn++) await sink.write([rec(lsn, 8), rec(lsn + 100, 9)], AbortSignal.timeout(10_000));
  const logged: unknown[] = [];
  const log = { info: (fields: unknown) => logged.push(fields), warn: (fields: unknown) => logged.push(fields) } as never;
  const schedule = startCompactionSchedule({ store: localCompactionStore(dir), catalog, everyMs: 50, closedAfterMs: 0, log });
  try {
    const deadline = Date.now() + 30_000;
    while ((await listLakePartitions(dir)).some((p) => p.files.length > 1)) {
      if (Date.now() > deadline) throw new Error('not compacted within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300)); // later runs find nothing to do and log nothing
  } finally {
    await schedule.stop();
    await rm(dir, { recursive: true, force: true });
  }
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({ event: 'LakeCompacted', partitions: 2, filesBefore: 8, filesAfter: 2 });
});
