// The in-memory dedupe window survives a crash: after kill -9 and restart it is rebuilt from the
// WAL segments on disk, so a client's resend of an already-landed batch is still a duplicate,
// and replayed records are not written twice.
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
