/**
 * WAL archive and restore through REAL collector processes and s3rver (collector wal/README.md
 * "Archive"): a collector is killed -9 while its S3 sink still has undelivered records (with
 * `wal.ack: replicated` under load; with `local`, the default, once the archive caught up), its
 * whole directory is deleted, `wal restore` rebuilds the log from the archive into another
 * directory, and a collector started there (another node) delivers the rest: every acknowledged
 * event lands in the S3 clean zone exactly once.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameOf, makeEvents, postFrame } from '../collector/helpers/batch-sender.js';
import { listKeys } from '../aws/s3-read.js';
import { COLLECTOR_CLI, startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../support/kinesalite.js';
import { startS3rver, type S3rverServer } from '../support/s3rver.js';
import { seededRandom } from '../support/seeded-random.js';
import { exactlyOnceReport, readS3Zone } from './support/s3-zone.js';

const BUCKET = 'archive-restore';
const SENDERS = 4;
const EVENTS_PER_BATCH = 20;
const env = { AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: LOCAL_REGION };

let s3: S3rverServer;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  s3 = await startS3rver();
  await s3.createBucket(BUCKET);
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await s3?.stop();
});

type Ack = 'replicated' | 'local';

function config(endpoint: string, ack: Ack) {
  return {
    log: { level: 'warn' },
    wal: { archive: { bucket: BUCKET, prefix: `archive-${ack}`, endpoint, region: LOCAL_REGION }, ack },
    // A long roll age keeps an undelivered backlog in the sink when the kill comes.
    sinks: [{ type: 's3', name: 's3', bucket: BUCKET, prefix: `lake-${ack}`, endpoint, region: LOCAL_REGION, rollAgeMs: 1_500 }],
    routing: [{ sink: 's3', zones: ['clean'] }],
  };
}

describe('WAL archive and restore', () => {
  // replicated: killed under load, every acknowledged batch is in the archive by definition.
  // local (the default): the senders stop and the archive catches up (its recovery point) first.
  it.each(['replicated', 'local'] as const)('ack %s: a node killed -9 with undelivered backlog, its directory deleted, restored on another node: every acknowledged event once in S3 clean', async (ack) => {
    const random = seededRandom(`archive restore (${ack}): kill moment`);
    const lake = `lake-${ack}`;
    const extraBatches = 5 + Math.floor(random() * 60);

    const first = await startCollectorProcess({ config: config(s3.endpoint, ack), env });
    cleanups.push(() => first.cleanup());
    const acked: string[] = [];
    let ackedBatches = 0;
    let sending = true;
    const senders = Array.from({ length: SENDERS }, async () => {
      while (sending) {
        const events = makeEvents(EVENTS_PER_BATCH);
        const res = await postFrame(first.url, await frameOf(events)).catch(() => undefined);
        if (res?.status === 200) {
          acked.push(...events.map((e) => e.id));
          ackedBatches += 1;
        }
        await res?.arrayBuffer().catch(() => undefined);
      }
    });
    // Kill once the sink has delivered some files (so its cursors are in the archive) and then a random number of batches more.
    await waitFor(async () => (await readS3Zone(s3.client(), BUCKET, lake, 'clean')).length > 0, 60_000, 'a first delivered file');
    const killAfterBatches = ackedBatches + extraBatches;
    await waitFor(() => ackedBatches >= killAfterBatches, 60_000, `${killAfterBatches} acknowledged batches`);
    if (ack === 'local') {
      sending = false;
      await Promise.all(senders);
      await waitFor(async () => ((await (await fetch(`${first.url}/v1/status`)).json()) as { wal: { archive: { lagBytes: number } } }).wal.archive.lagBytes === 0, 20_000, 'the archive to catch up');
    }
    await first.kill9();
    sending = false;
    await Promise.all(senders);
    const deliveredBeforeKill = (await readS3Zone(s3.client(), BUCKET, lake, 'clean')).length;
    console.log(`killed after ${ackedBatches} acknowledged batches (${acked.length} events); ${deliveredBeforeKill} were in S3 clean at the kill`);
    expect(deliveredBeforeKill, 'the sink had an undelivered backlog when the node died').toBeLessThan(acked.length);
    await rm(first.dir, { recursive: true, force: true });

    // The operator knows the node id (pod name, logs); here it is the one node under the prefix.
    const nodeKeys = (await listKeys(s3.client(), BUCKET, `archive-${ack}/`)).filter((key) => key.endsWith('/node-id'));
    expect(nodeKeys).toHaveLength(1);
    const from = `s3://${BUCKET}/${nodeKeys[0]!.slice(0, -'/node-id'.length)}`;
    const secondDir = await mkdtemp(join(tmpdir(), 'shopstream-restored-'));
    // Asynchronously: s3rver runs in this process and must keep answering.
    const restore = await promisify(execFile)(process.execPath, [COLLECTOR_CLI, 'wal', 'restore', '--from', from, '--endpoint', s3.endpoint, '--region', LOCAL_REGION, join(secondDir, 'wal')], { env: { ...process.env, ...env } });
    console.log(restore.stdout.trim());
    expect(restore.stdout).toContain('OK');

    const second: CollectorProcess = await startCollectorProcess({ dir: secondDir, config: config(s3.endpoint, ack), env });
    cleanups.push(() => second.cleanup());
    const expectedSet = new Set(acked);
    await waitFor(async () => {
      const landed = new Set((await readS3Zone(s3.client(), BUCKET, lake, 'clean')).map((r) => r.id));
      return [...expectedSet].every((id) => landed.has(id));
    }, 60_000, 'every acknowledged event in S3 clean');
    await new Promise((r) => setTimeout(r, 2_000)); // a duplicate would be written by now
    const report = exactlyOnceReport(acked, await readS3Zone(s3.client(), BUCKET, lake, 'clean'));
    expect(report.missing).toEqual([]);
    expect(report.duplicates).toEqual([]);
  });
});
