/**
 * A rotated HMAC secret never destroys data (issue 14): a REAL collector process, a Node SDK with
 * a disk queue, and the lake's clean zone as the judge of "exactly once".
 *
 * 1. The secret is rotated on the collector first (only the new key `k2`); the SDK still signs
 *    with the old one (`k1`) and meets 401 for a while: it reports SDK_UNAUTHORIZED once, keeps
 *    every event on disk and sends nothing else; `setCredentials` with the new secret resumes
 *    delivery at once. A second client meets the same 401, is closed (close() reports what it
 *    leaves and that it stays queued), and a restart with the new secret on the same queueDir
 *    delivers it. Every event lands in `clean` exactly once.
 * 2. During an overlap (both secrets configured) an event signed with the old secret is accepted,
 *    named by its key id or not (an older SDK), and a retired key id is refused with 401.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, type NodeClient } from '@shopstream/sdk/node';
import { readLake, startCollectorProcess, waitFor } from '../support/collector-process.js';

const OLD = 'old-secret-rotated-away';
const NEW = 'new-secret-after-rotation';
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

type Seen = { code?: string; message: string };

function client(endpoint: string, options: Partial<Parameters<typeof createClient>[0]>): NodeClient & { errors: Seen[] } {
  const errors: Seen[] = [];
  const c = createClient({
    endpoint,
    writeKey: 'dev-key',
    flushIntervalMs: 50,
    retryBaseMs: 20,
    retryMaxMs: 250, // the pause re-probes with one batch this often
    requestTimeoutMs: 2000,
    onError: (error) => errors.push({ code: (error as { code?: string }).code, message: error.message }),
    ...options,
  });
  return Object.assign(c, { errors });
}

async function lakeCounts(lakeDir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { value } of await readLake(lakeDir, 'clean')) {
    // `n` is no catalog property of Order Completed: clean rows keep it in `extra.properties`.
    const props = ((value['extra'] as { properties?: unknown } | undefined)?.properties ?? value['properties']) as { n?: string } | undefined;
    const n = props?.n;
    if (typeof n === 'string') counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sdk-node: secret rotation', () => {
  it('401 for a while after the collector rotated first: nothing lost, delivered once the new secret is set (API call or restart)', async () => {
    const queueDir = await mkdtemp(join(tmpdir(), 'sdk-rotation-queue-'));
    cleanups.push(() => rm(queueDir, { recursive: true, force: true }));
    const collector = await startCollectorProcess({
      config: { sources: [{ id: 'shop', writeKey: 'dev-key', secrets: [{ id: 'k2', secret: NEW }] }], sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 50 } }] },
    });
    cleanups.push(() => collector.cleanup());

    // A: still signing with the retired k1.
    const a = client(collector.url, { secret: OLD, secretId: 'k1', queueDir });
    for (let i = 0; i < 300; i++) void a.track('Order Completed', { n: `a-${i}`, total: i });
    await a.flushToDisk();
    await waitFor(() => a.errors.some((e) => e.code === 'SDK_UNAUTHORIZED'), 10_000, 'SDK_UNAUTHORIZED');
    await sleep(1_000); // ~4 probes of the pause
    for (let i = 300; i < 400; i++) void a.track('Order Completed', { n: `a-${i}`, total: i });
    await a.flushToDisk();
    expect(a.stats()).toMatchObject({ delivered: 0, dropped: 0 });
    expect(a.errors.map((e) => e.code)).toEqual(['SDK_UNAUTHORIZED']); // loud, but once per episode
    expect(a.errors[0]!.message).toMatch(/PAUSED and nothing is dropped; 300 events are kept in the queue.*setCredentials/);
    expect(a.errors[0]!.message).toMatch(/401.*(key id|kid=)/);

    a.setCredentials({ secret: NEW, secretId: 'k2' });
    await waitFor(() => a.stats().delivered === 400, 15_000, 'all 400 delivered after setCredentials');
    expect(await a.close({ deadlineMs: 2_000 })).toEqual({ drained: true, undelivered: 0 });

    // B: meets the same 401, is closed (the restart path), and a new process with the new secret delivers its queue.
    const b = client(collector.url, { secret: OLD, queueDir });
    for (let i = 0; i < 200; i++) void b.track('Order Completed', { n: `b-${i}`, total: i });
    await b.flushToDisk();
    await waitFor(() => b.errors.some((e) => e.code === 'SDK_UNAUTHORIZED'), 10_000, 'SDK_UNAUTHORIZED (b)');
    expect(await b.close({ deadlineMs: 500 })).toEqual({ drained: false, undelivered: 200 });
    const undelivered = b.errors.find((e) => e.code === 'SDK_UNDELIVERED');
    expect(undelivered?.message).toMatch(/close\(\) left 200 events undelivered \(the last attempt failed: .*401.*\); they stay in the queue and are sent after the next start/);

    const restarted = client(collector.url, { secret: NEW, secretId: 'k2', queueDir });
    await waitFor(() => restarted.stats().delivered === 200, 15_000, 'the 200 kept events delivered after the restart');
    expect(await restarted.close({ deadlineMs: 2_000 })).toMatchObject({ drained: true, undelivered: 0 });
    expect(restarted.errors).toEqual([]);

    await waitFor(async () => (await lakeCounts(collector.lakeDir)).size >= 600, 30_000, '600 events in clean');
    await sleep(300); // a duplicate would show up now
    const counts = await lakeCounts(collector.lakeDir);
    expect(counts.size).toBe(600);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
  }, 90_000);

  it('during the overlap an event signed with the old secret is accepted; a retired key id is refused', async () => {
    const collector = await startCollectorProcess({
      config: {
        sources: [{ id: 'shop', writeKey: 'dev-key', secrets: [{ id: 'k2', secret: NEW }, { id: 'k1', secret: OLD }] }],
        sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 50 } }],
      },
    });
    cleanups.push(() => collector.cleanup());
    const senders = {
      old: client(collector.url, { secret: OLD, secretId: 'k1' }),
      oldWithoutKeyId: client(collector.url, { secret: OLD }), // an SDK from before key ids
      current: client(collector.url, { secret: NEW, secretId: 'k2' }),
      retired: client(collector.url, { secret: OLD, secretId: 'k0' }),
    };
    for (const [name, sender] of Object.entries(senders)) void sender.track('Order Completed', { n: name });
    for (const [name, sender] of Object.entries(senders)) {
      if (name === 'retired') continue;
      await sender.flush();
      expect(sender.stats()).toMatchObject({ delivered: 1, dropped: 0 });
      expect(sender.errors).toEqual([]);
      await sender.close({ deadlineMs: 1_000 });
    }
    await waitFor(() => senders.retired.errors.length > 0, 10_000, 'the retired key refused');
    expect(senders.retired.errors[0]).toMatchObject({ code: 'SDK_UNAUTHORIZED', message: expect.stringContaining('does not have (its key ids: k2, k1)') });
    expect(await senders.retired.close({ deadlineMs: 300 })).toMatchObject({ undelivered: 1 });
    expect(senders.retired.errors.map((e) => e.code)).toEqual(['SDK_UNAUTHORIZED', 'SDK_UNDELIVERED']);
    expect(senders.retired.errors[1]!.message).toMatch(/held in memory only and are LOST/);

    await waitFor(async () => (await lakeCounts(collector.lakeDir)).size >= 3, 20_000, '3 events in clean');
    expect([...(await lakeCounts(collector.lakeDir)).keys()].sort()).toEqual(['current', 'old', 'oldWithoutKeyId']);
  }, 60_000);
});
