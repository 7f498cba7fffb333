// Redis dedupe across a fleet: two collector processes share one real redis-server. The same
// batch sent to both lands once; with Redis killed mid-run the configured fail mode holds:
// `closed` keeps events in the WAL until Redis is back (then exactly once), `open` lets them
// through marked possibleDuplicate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLake, startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { PII_CONFIG, cartViewed, frame, post, waitInLake } from './ingest-harness.js';

let redis: RedisServer;
const collectors: CollectorProcess[] = [];

const start = (failMode: 'open' | 'closed') =>
  startCollectorProcess({
    config: {
      sources: [{ id: 'web', writeKey: 'web-key-1' }],
      delivery: { backoffBaseMs: 50, backoffMaxMs: 300 },
      ingest: { pii: PII_CONFIG, dedupe: { store: 'redis', redisUrl: redis.url, failMode, commandTimeoutMs: 300, keyPrefix: `t-${failMode}:` } },
    },
  }).then((c) => {
    collectors.push(c);
    return c;
  });

async function cleanIds(...cs: CollectorProcess[]): Promise<string[]> {
  const out: string[] = [];
  for (const c of cs) for (const r of await readLake(c.lakeDir, 'clean')) out.push(String(r.value.id));
  return out;
}

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  for (const c of collectors) await c.cleanup();
  await redis?.kill();
});

describe('Redis dedupe shared by two collectors', () => {
  it('lands a batch sent to both collectors once', async () => {
    const [a, b] = [await start('closed'), await start('closed')];
    const events = Array.from({ length: 20 }, () => cartViewed());
    const body = await frame(events);
    expect((await post(a.url, body, 'web-key-1')).status).toBe(200);
    await waitInLake(a.lakeDir, 'clean', events.map((e) => e.id), 'the batch in collector A');
    expect((await post(b.url, body, 'web-key-1')).status).toBe(200);
    const marker = cartViewed();
    expect((await post(b.url, await frame([marker]), 'web-key-1')).status).toBe(200);
    await waitInLake(b.lakeDir, 'clean', [marker.id], 'a later event in collector B (so the duplicate batch was processed)');
    const ids = await cleanIds(a, b);
    for (const event of events) expect(ids.filter((id) => id === event.id)).toHaveLength(1);
    const audit = (await readLake(b.lakeDir, 'audit')).map((r) => r.value as { duplicates: number; accepted: number });
    expect(audit.some((r) => r.duplicates === 20 && r.accepted === 0)).toBe(true);
  });

  it('fail mode closed: with Redis down, acked events wait in the WAL and land exactly once when it returns', async () => {
    const [a, b] = [collectors[0]!, collectors[1]!];
    const port = redis.port;
    await redis.kill();
    const events = Array.from({ length: 5 }, () => cartViewed());
    const body = await frame(events);
    expect((await post(a.url, body, 'web-key-1')).status).toBe(200); // the WAL still acknowledges
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await cleanIds(a)).filter((id) => events.some((e) => e.id === id))).toEqual([]);
    expect(await (await fetch(`${a.url}/healthz`)).json()).toEqual({ ok: true });

    redis = await startRedisServer({ port });
    await waitInLake(a.lakeDir, 'clean', events.map((e) => e.id), 'the held events after Redis returned');
    expect((await post(b.url, body, 'web-key-1')).status).toBe(200); // the same batch, now to B
    const marker = cartViewed();
    await post(b.url, await frame([marker]), 'web-key-1');
    await waitInLake(b.lakeDir, 'clean', [marker.id], 'a later event in collector B');
    const ids = await cleanIds(a, b);
    for (const event of events) expect(ids.filter((id) => id === event.id)).toHaveLength(1);
  });

  it('fail mode open: with Redis down, events land at once marked possibleDuplicate', async () => {
    const open = await start('open');
    // /readyz is green before delivery starts (fast start): Redis dies mid-run, after the first event landed.
    const first = cartViewed();
    expect((await post(open.url, await frame([first]), 'web-key-1')).status).toBe(200);
    await waitInLake(open.lakeDir, 'clean', [first.id], 'a first event (delivery running, Redis used)');
    const port = redis.port;
    await redis.kill();
    try {
      const events = [cartViewed(), cartViewed()];
      expect((await post(open.url, await frame(events), 'web-key-1')).status).toBe(200);
      await waitInLake(open.lakeDir, 'clean', events.map((e) => e.id), 'events let through in open mode');
      const clean = (await readLake(open.lakeDir, 'clean')).filter((r) => events.some((e) => e.id === r.value.id));
      expect(clean.map((r) => r.value.possibleDuplicate)).toEqual([true, true]);
      await waitFor(async () => /shopstream_event_processed_total\{source="web",outcome="possible_duplicate",reason="COLLECTOR_DEDUPE_UNAVAILABLE"\} 2/.test(await (await fetch(`${open.url}/metrics`)).text()), 5000, 'the possible-duplicate metric');
    } finally {
      redis = await startRedisServer({ port });
    }
  });
});
