// The Redis deduper against a real redis-server: shared decisions across two collectors
// (node ids), replay stability, expiry by window, and both fail modes when Redis dies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerToken } from '../../collector/src/pipeline/dedupe/deduper.js';
import { createRedisDeduper } from '../../collector/src/pipeline/dedupe/redis.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

const owners = (node: string, lsn: number, count: number) => Array.from({ length: count }, (_, i) => ownerToken(node, lsn, i));

describe('Redis deduper', () => {
  it('lets the first claim in WAL order win across two collectors and keeps answers stable on replay', async () => {
    const a = createRedisDeduper({ url: redis.url, keyPrefix: 't1:' });
    const b = createRedisDeduper({ url: redis.url, keyPrefix: 't1:' });
    const ids = ['e1', 'e2', 'e1'];
    expect(await a.firstSeen(ids, owners('node-a', 0, 3), 0)).toEqual({ firstSeen: [true, true, false], degraded: false });
    expect((await b.firstSeen(ids, owners('node-b', 0, 3), 0)).firstSeen).toEqual([false, false, false]);
    expect((await a.firstSeen(ids, owners('node-a', 0, 3), 0)).firstSeen).toEqual([true, true, false]);
    expect((await b.firstSeen(['e3', 'e2'], owners('node-b', 64, 2), 0)).firstSeen).toEqual([true, false]);
    await a.close();
    await b.close();
  });

  it('handles batches larger than one script call', async () => {
    const deduper = createRedisDeduper({ url: redis.url, keyPrefix: 't2:', idsPerCallMax: 7 });
    const ids = Array.from({ length: 50 }, (_, i) => `id-${i % 40}`);
    const result = await deduper.firstSeen(ids, owners('n', 0, 50), 0);
    expect(result.firstSeen.filter(Boolean)).toHaveLength(40);
    expect(result.firstSeen.slice(40)).toEqual(Array(10).fill(false));
    await deduper.close();
  });

  it('forgets an id after the window (PX)', async () => {
    const deduper = createRedisDeduper({ url: redis.url, keyPrefix: 't3:', windowMs: 100 });
    expect((await deduper.firstSeen(['x'], owners('n', 0, 1), 0)).firstSeen).toEqual([true]);
    expect((await deduper.firstSeen(['x'], owners('n', 10, 1), 0)).firstSeen).toEqual([false]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await deduper.firstSeen(['x'], owners('n', 20, 1), 0)).firstSeen).toEqual([true]);
    await deduper.close();
  });

  it('fails open (all through, degraded) or closed (retryable error) when Redis dies, and recovers', async () => {
    const own = await startRedisServer();
    const errors: string[] = [];
    const open = createRedisDeduper({ url: own.url, failMode: 'open', commandTimeoutMs: 300, onUnavailable: (e) => errors.push(e.message) });
    const closed = createRedisDeduper({ url: own.url, failMode: 'closed', commandTimeoutMs: 300 });
    expect((await open.firstSeen(['k'], owners('n', 0, 1), 0)).firstSeen).toEqual([true]);
    expect((await closed.firstSeen(['k2'], owners('n', 0, 1), 0)).firstSeen).toEqual([true]);
    const port = own.port;
    await own.kill();

    expect(await open.firstSeen(['k', 'k3'], owners('n', 99, 2), 0)).toEqual({ firstSeen: [true, true], degraded: true });
    expect(open.healthy).toBe(false);
    expect(errors.length).toBeGreaterThan(0);
    const failure = await closed.firstSeen(['k4'], owners('n', 99, 1), 0).then(() => undefined, (error: unknown) => error);
    expect(failure).toMatchObject({ code: 'COLLECTOR_DEDUPE_UNAVAILABLE', retryable: true });
    expect((failure as Error).message).toMatch(/Redis deduper is unreachable .*stays in the WAL and is retried/);

    const again = await startRedisServer({ port });
    try {
      // ioredis reconnects on its own; the restarted (empty) Redis answers again.
      await expect.poll(async () => (await closed.firstSeen(['k5'], owners('n', 200, 1), 0).catch(() => ({ firstSeen: [] }))).firstSeen, { timeout: 10_000, interval: 200 }).toEqual([true]);
      expect(closed.healthy).toBe(true);
    } finally {
      await open.close();
      await closed.close();
      await again.stop();
    }
  });
});
