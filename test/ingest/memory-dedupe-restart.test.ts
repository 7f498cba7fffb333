// The in-memory dedupe window survives a crash: after kill -9 and restart it is rebuilt from the
// WAL segments on disk, so a client's resend of an already-landed batch is still a duplicate,
// and replayed records are not written twice. Delivered segments stay on disk for the dedupe
// window by default (`wal.retainMs`), so this holds after their sinks moved on, too.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readLake, startCollectorProcess, type CollectorProcess } from '../support/collector-process.js';
import { PII_CONFIG, cartViewed, frame, post, waitInLake } from './ingest-harness.js';

let collector: CollectorProcess;
beforeAll(async () => {
  collector = await startCollectorProcess({ config: { sources: [{ id: 'web', writeKey: 'web-key-1' }], ingest: { pii: PII_CONFIG, dedupe: { store: 'memory' } } } });
});
afterAll(async () => {
  await collector?.cleanup();
});

const cleanCopies = async (lakeDir: string, ids: readonly string[]) => {
  const landed = (await readLake(lakeDir, 'clean')).map((r) => String(r.value.id));
  return ids.map((id) => landed.filter((landedId) => landedId === id).length);
};

it('keeps dedupe decisions across kill -9 (window rebuilt from the WAL)', async () => {
  const events = Array.from({ length: 10 }, () => cartViewed());
  const body = await frame(events);
  expect((await post(collector.url, body, 'web-key-1')).status).toBe(200);
  await waitInLake(collector.lakeDir, 'clean', events.map((e) => e.id), 'the first send');

  collector = await collector.restart(); // kill -9, then start on the same WAL and lake
  expect((await post(collector.url, body, 'web-key-1')).status).toBe(200); // a client resend after a lost ack
  const marker = cartViewed();
  expect((await post(collector.url, await frame([marker]), 'web-key-1')).status).toBe(200);
  await waitInLake(collector.lakeDir, 'clean', [marker.id], 'an event sent after the resend');

  for (const zone of ['clean', 'raw'] as const) {
    const ids = (await readLake(collector.lakeDir, zone)).map((r) => String(r.value.id));
    for (const event of events) expect(ids.filter((id) => id === event.id), `${zone} copies of ${event.id}`).toHaveLength(1);
  }
  const audits = (await readLake(collector.lakeDir, 'audit')).map((r) => r.value as { duplicates: number });
  expect(audits.some((a) => a.duplicates === 10)).toBe(true);
});

it('remembers a batch whose WAL segment every sink has passed (kept for the window, not deleted)', async () => {
  // Small segments so the first batch's segment is sealed and delivered long before the restart.
  const small = await startCollectorProcess({
    config: { sources: [{ id: 'web', writeKey: 'web-key-1' }], limits: { bodyBytesMax: 65_536, decodedBytesMax: 65_536 }, wal: { segmentBytesMax: 131_072 }, ingest: { dedupe: { store: 'memory' } } },
  });
  let current = small;
  try {
    const first = Array.from({ length: 10 }, () => cartViewed());
    const body = await frame(first);
    expect((await post(current.url, body, 'web-key-1')).status).toBe(200);
    const filler = Array.from({ length: 60 }, () => Array.from({ length: 100 }, () => cartViewed()));
    for (const events of filler) expect((await post(current.url, await frame(events), 'web-key-1')).status).toBe(200);
    await waitInLake(current.lakeDir, 'clean', filler.flat().map((e) => e.id), 'the filler');
    await new Promise((r) => setTimeout(r, 1_500)); // a retention pass runs every second
    const wal = ((await (await fetch(`${current.url}/v1/status`)).json()) as { wal: { segmentCount: number; oldestLsn: number } }).wal;
    expect(wal.segmentCount).toBeGreaterThan(1);
    expect(wal.oldestLsn).toBe(0); // the first batch's segment is still there

    current = await current.restart(); // kill -9
    expect((await post(current.url, body, 'web-key-1')).status).toBe(200);
    const marker = cartViewed();
    expect((await post(current.url, await frame([marker]), 'web-key-1')).status).toBe(200);
    await waitInLake(current.lakeDir, 'clean', [marker.id], 'an event sent after the resend');
    expect(await cleanCopies(current.lakeDir, first.map((e) => e.id))).toEqual(first.map(() => 1));
  } finally {
    await current.cleanup();
  }
});
