/**
 * Crash loop: a collector under load from concurrent clients is kill -9'd at random moments
 * (at least 20 times) and restarted on the same WAL and lake. At the end every event a client
 * saw acknowledged is in the `clean` zone exactly once: a replayed WAL record overwrites its own
 * lake files, and a resend after a lost ack is dropped by the deduper (window rebuilt from the WAL).
 */
import { afterAll, expect, it } from 'vitest';
import { startCollectorProcess, type CollectorProcess } from '../support/collector-process.js';
import { frameOf, makeEvents, sendUntilAcked } from './helpers/batch-sender.js';
import { expectAckedExactlyOnceInClean } from './helpers/exactly-once-in-clean.js';
import { seededRandom } from '../support/seeded-random.js';

const random = seededRandom('crash-loop kill timing');

const KILLS = 22;
const CLIENTS = 4;
let collector: CollectorProcess | undefined;
afterAll(async () => {
  await collector?.cleanup();
});

it(`keeps every acknowledged event through ${KILLS} kill -9s under concurrent load`, async () => {
  collector = await startCollectorProcess({
    config: { limits: { bodyBytesMax: 64 * 1024, decodedBytesMax: 64 * 1024 }, wal: { retainMs: 3_600_000, segmentBytesMax: 256 * 1024, quotaBytes: 512 * 1024 * 1024 }, sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 30, recordsMax: 500 } }] },
  });
  const acked: string[] = [];
  let running = true;
  const clients = Array.from({ length: CLIENTS }, async (_, client) => {
    while (running) {
      const events = makeEvents(10 + client * 5);
      await sendUntilAcked(() => collector!.url, await frameOf(events), { triesMax: 400, backoffMs: 25 });
      acked.push(...events.map((e) => e.id));
    }
  });
  const ackedAtKill: number[] = [];
  for (let kill = 0; kill < KILLS; kill++) {
    await new Promise((r) => setTimeout(r, 150 + random() * 350));
    ackedAtKill.push(acked.length);
    collector = await collector.restart(); // SIGKILL, then the same dirs and port again
  }
  running = false;
  await Promise.all(clients);
  // Load really ran between kills, not only before the first one.
  expect(acked.length).toBeGreaterThan(ackedAtKill[Math.floor(KILLS / 2)]!);
  expect(new Set(ackedAtKill).size).toBeGreaterThan(KILLS / 2);

  // Exactly once in `clean` though the WAL holds resent copies of batches whose ack was lost in a kill.
  await expectAckedExactlyOnceInClean(collector, acked);
});
