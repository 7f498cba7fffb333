/**
 * Volume and restarts through a REAL collector process: 10,000 events land in the lake exactly
 * once; a sender that keeps sending across a graceful restart and a kill -9 loses nothing and
 * duplicates nothing in `clean`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readLake, startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';
import { frameOf, makeEvents, postFrame, sendUntilAcked } from './helpers/batch-sender.js';
import { expectAckedExactlyOnceInClean } from './helpers/exactly-once-in-clean.js';

const started: CollectorProcess[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) await c.cleanup();
});

const config = { wal: { retainMs: 3_600_000 }, sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 50 } }] };

describe('exactly once', () => {
  it('lands 10,000 events from 100 concurrent-ish batches in raw and clean exactly once', async () => {
    const collector = await startCollectorProcess({ config });
    started.push(collector);
    const batches = Array.from({ length: 100 }, () => makeEvents(100));
    const ids = new Set(batches.flat().map((e) => e.id));
    const frames = await Promise.all(batches.map((b) => frameOf(b)));
    let nextBatch = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (nextBatch < frames.length) {
        const res = await postFrame(collector.url, frames[nextBatch++]!);
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
    }));
    await waitFor(async () => (await readLake(collector.lakeDir, 'clean')).length >= 10_000, 30_000, '10,000 clean events');
    await new Promise((r) => setTimeout(r, 300)); // anything extra would show up now
    for (const zone of ['clean', 'raw'] as const) {
      const lines = await readLake(collector.lakeDir, zone);
      expect(lines.length).toBe(10_000);
      const seen = new Set(lines.map((l) => l.value.id as string));
      expect(seen.size).toBe(10_000);
      expect([...ids].every((id) => seen.has(id))).toBe(true);
    }
    const audit = await readLake(collector.lakeDir, 'audit');
    expect(audit.length).toBe(100);
    expect(audit.reduce((sum, a) => sum + (a.value.accepted as number), 0)).toBe(10_000);
    const status = (await (await fetch(`${collector.url}/v1/status`)).json()) as { sinks: { lagRecords: number; lagBytes: number }[] };
    expect(status.sinks[0]).toMatchObject({ lagRecords: 0, lagBytes: 0 });
  });

  it('loses nothing when the collector restarts (SIGTERM, then kill -9) while a sender keeps sending', async () => {
    let collector = await startCollectorProcess({ config });
    started.push(collector);
    const acked: string[] = [];
    let sending = true;
    const sender = (async () => {
      let n = 0;
      while (sending && n < 400) {
        const events = makeEvents(25);
        await sendUntilAcked(() => collector.url, await frameOf(events));
        acked.push(...events.map((e) => e.id));
        n += 1;
      }
    })();
    await waitFor(() => acked.length >= 500, 20_000, 'first acks');
    expect(await collector.stop('SIGTERM')).toBe(0);
    collector = await collector.restart();
    started.push(collector);
    await waitFor(() => acked.length >= 1500, 20_000, 'acks after graceful restart');
    collector = await collector.restart(); // kill -9, then start again
    started.push(collector);
    await waitFor(() => acked.length >= 2500, 20_000, 'acks after kill -9');
    sending = false;
    await sender;
    // A batch whose ack was lost in the kill is resent; the deduper, its window rebuilt from the WAL, drops the copy.
    await expectAckedExactlyOnceInClean(collector, acked);
  });
});
