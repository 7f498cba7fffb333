/**
 * kill -9 of a Node service mid-stream: every event `flushToDisk()` confirmed lands in the lake
 * of a REAL collector exactly once, after the SDK restarts on the same queue directory. The
 * collector is also down for part of the run, so the disk queue holds a real backlog at the kill.
 * The SDK's resends after its restart carry the same ids; the collector's deduper drops them.
 * Requests are HMAC-signed and the collector verifies the signatures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readLake, startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';

const TRACKER = fileURLToPath(new URL('./fixtures/tracker.ts', import.meta.url));
const SECRET = 's3cret-crash-test';
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups) await cleanup();
});

function runTracker(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', TRACKER, ...args], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    env: { ...process.env, SHOPSTREAM_TEST_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const durable: number[] = [];
  let stdout = '';
  let stderr = '';
  const lines: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const parts = stdout.split('\n');
    stdout = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      if (line.startsWith('DURABLE ')) for (const n of line.slice(8).split(',')) durable.push(Number(n));
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, durable, lines, stderr: () => stderr, exited };
}

describe('sdk-node: crash safety with the disk queue', () => {
  it('kill -9 after 20,000 tracked events, restart on the same queueDir: every durable event lands exactly once', async () => {
    const queueDir = await mkdtemp(join(tmpdir(), 'sdk-crash-queue-'));
    cleanups.push(() => rm(queueDir, { recursive: true, force: true }));
    let collector: CollectorProcess = await startCollectorProcess({
      config: {
        sources: [{ id: 'shop', writeKey: 'dev-key', secret: SECRET }],
        wal: { retainMs: 3_600_000 },
        sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 50 } }],
      },
    });
    cleanups.push(() => collector.cleanup());
    const endpoint = `${collector.url}/v1/batch`;

    // 40 rounds of 500 = 20,000 events; the collector goes down after round 10.
    const first = runTracker(['track', endpoint, queueDir, '40', '500']);
    await waitFor(() => first.durable.length >= 5_000, 30_000, 'first 5,000 durable events');
    // kill -9 of the collector too: acks in flight are lost and the SDK resends those batches; the
    // in-memory deduper, rebuilt from the WAL on restart, drops the copies.
    await collector.kill9();
    await waitFor(() => first.lines.includes('TRACKED'), 60_000, 'all 20,000 tracked');
    expect(first.durable).toHaveLength(20_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const segmentsAtKill = (await readdir(queueDir)).filter((name) => name.startsWith('seg-'));
    expect(segmentsAtKill.length).toBeGreaterThan(0); // a real backlog was on disk

    collector = await collector.restart();
    const second = runTracker(['drain', endpoint, queueDir]);
    expect(await second.exited).toBe(0);
    const drained = JSON.parse(second.lines.find((line) => line.startsWith('DRAINED '))!.slice(8)) as Record<string, number | boolean>;
    expect(drained).toMatchObject({ dropped: 0, drained: true });
    expect(drained['delivered']).toBeGreaterThan(0);

    const seqCounts = async () => {
      const counts = new Map<number, number>();
      // `clean` is where exactly once is promised (`raw` is as received; the deduper happens to drop
      // resent copies there too, but only `clean` is the contract).
      for (const line of await readLake(collector.lakeDir, 'clean')) {
        // `seq` is no catalog property of its event: clean rows keep it in `extra.properties`.
        const props = ((line.value['extra'] as { properties?: unknown } | undefined)?.properties ?? line.value['properties']) as { seq?: number } | undefined;
        const seq = props?.seq;
        if (typeof seq === 'number') counts.set(seq, (counts.get(seq) ?? 0) + 1);
      }
      return counts;
    };
    await waitFor(async () => (await seqCounts()).size >= 20_000, 60_000, '20,000 distinct events in the lake');
    await new Promise((resolve) => setTimeout(resolve, 300)); // a duplicate would show up now
    const counts = await seqCounts();
    const missing = first.durable.filter((seq) => !counts.has(seq));
    const twice = [...counts.values()].filter((n) => n > 1).length;
    expect(missing).toEqual([]);
    expect(twice).toBe(0);
    expect(counts.size).toBe(20_000);
    // Everything delivered: the queue directory holds no live segment any more.
    expect((await readdir(queueDir)).filter((name) => name.startsWith('seg-')).length).toBeLessThanOrEqual(1);
  }, 150_000);
});
