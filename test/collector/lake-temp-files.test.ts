/**
 * A kill -9 between a lake file's write and its rename leaves `.tmp-<pid>-…`; the replay writes
 * the final name under a new pid, so the next start removes such files (dead pid), never final files.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readLake, startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';
import { frameOf, makeEvents, postFrame } from './helpers/batch-sender.js';

const started: CollectorProcess[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) await c.cleanup();
});

function deadPid(): number {
  for (let pid = 4_000_000; ; pid--) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}

it('removes temp files a killed collector left in the lake at the next start, and keeps final files', async () => {
  let collector = await startCollectorProcess({ config: { sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 20 } }] } });
  started.push(collector);
  expect((await postFrame(collector.url, await frameOf(makeEvents(3)))).status).toBe(200);
  await waitFor(async () => (await readLake(collector.lakeDir, 'clean')).length === 3, 10_000, '3 clean events');
  const partition = join(collector.lakeDir, 'clean', 'source=dev', 'event_type=x', 'dt=2026-11-23', 'hr=10');
  await mkdir(partition, { recursive: true });
  const stale = `.tmp-${deadPid()}-0000000000000000_000000-0000000000000000_000002.ndjson.gz`;
  await writeFile(join(partition, stale), 'half a gzip file');
  collector = await collector.restart(); // kill -9, then the same dirs
  started.push(collector);
  // The lake sink sweeps when the delivery thread creates it, which may finish after /readyz.
  await waitFor(async () => (await readdir(partition)).length === 0, 10_000, 'the stale temp file removed at sink start');
  expect(await readLake(collector.lakeDir, 'clean')).toHaveLength(3);
});
