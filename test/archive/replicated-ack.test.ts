/**
 * `wal.ack: replicated` with the archive's S3 failing (a proxy answering 503 in front of
 * s3rver): a batch is not acknowledged while the archive cannot hold it, nothing of it reaches
 * the archive or the sink meanwhile (delivery waits for the archive), and once S3 answers again
 * the waiting request is acknowledged and the batch lands in the S3 clean zone exactly once. An
 * outage longer than `ackTimeoutMs` answers 503 COLLECTOR_WAL_ARCHIVE_BEHIND; the sender's retry
 * after recovery is acknowledged and the event still lands once (the stored copy and the retried
 * one are one event id).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameOf, makeEvents, postFrame } from '../collector/helpers/batch-sender.js';
import { startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../support/kinesalite.js';
import { startS3rver, type S3rverServer } from '../support/s3rver.js';
import { startS3OutageProxy, type S3OutageProxy } from './support/s3-outage-proxy.js';
import { exactlyOnceReport, readS3Zone } from './support/s3-zone.js';

const BUCKET = 'archive-replicated';
const ACK_TIMEOUT_MS = 4_000;
const env = { AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: LOCAL_REGION };

let s3: S3rverServer;
let proxy: S3OutageProxy;
let collector: CollectorProcess;
beforeAll(async () => {
  s3 = await startS3rver();
  await s3.createBucket(BUCKET);
  proxy = await startS3OutageProxy(s3.endpoint);
  collector = await startCollectorProcess({
    env,
    config: {
      log: { level: 'error' },
      // The archive goes through the proxy; the sink straight to s3rver, so only the archive fails.
      wal: { archive: { bucket: BUCKET, prefix: 'archive', endpoint: proxy.endpoint, region: LOCAL_REGION, ackTimeoutMs: ACK_TIMEOUT_MS }, ack: 'replicated' },
      sinks: [{ type: 's3', name: 's3', bucket: BUCKET, prefix: 'lake', endpoint: s3.endpoint, region: LOCAL_REGION, rollAgeMs: 200 }],
      routing: [{ sink: 's3', zones: ['clean'] }],
    },
  });
});
afterAll(async () => {
  await collector?.cleanup();
  await proxy?.stop();
  await s3?.stop();
});

interface ArchiveStatus { archivedLsn: number; failures: number }
async function walStatus(): Promise<{ endLsn: number; archive: ArchiveStatus }> {
  return ((await (await fetch(`${collector.url}/v1/status`)).json()) as { wal: { endLsn: number; archive: ArchiveStatus } }).wal;
}

describe('wal.ack: replicated', () => {
  it('acknowledges only what the archive holds; nothing is lost when S3 recovers', async () => {
    const before = makeEvents(10);
    expect((await postFrame(collector.url, await frameOf(before))).status).toBe(200);
    const afterFirst = await walStatus();
    expect(afterFirst.archive.archivedLsn, 'an acknowledged batch is in the archive').toBeGreaterThanOrEqual(afterFirst.endLsn);

    proxy.setDown(true);
    const during = makeEvents(10);
    let answeredAt = 0;
    const pending = postFrame(collector.url, await frameOf(during), undefined, 60_000).then((res) => {
      answeredAt = Date.now();
      return res;
    });
    await waitFor(async () => (await walStatus()).endLsn > afterFirst.endLsn, 10_000, 'the batch written to the local WAL');
    await waitFor(() => proxy.refused() >= 3, 20_000, 'the archive retrying against the failing S3');
    const duringOutage = await walStatus();
    expect(answeredAt, 'no acknowledgement while the archive cannot hold the batch').toBe(0);
    expect(duringOutage.archive.archivedLsn).toBeLessThan(duringOutage.endLsn);
    expect(duringOutage.archive.failures).toBeGreaterThan(0);
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(Number(/^shopstream_wal_archive_failures (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(Number(/^shopstream_wal_archive_lag_bytes (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    const cleanDuring = new Set((await readS3Zone(s3.client(), BUCKET, 'lake', 'clean')).map((r) => r.id));
    expect(during.some((e) => cleanDuring.has(e.id)), 'delivery waits for the archive').toBe(false);

    proxy.setDown(false);
    const res = await pending;
    expect(res.status).toBe(200);
    const recovered = await walStatus();
    expect(recovered.archive.archivedLsn).toBeGreaterThanOrEqual(duringOutage.endLsn);

    proxy.setDown(true);
    const late = makeEvents(10);
    const lateFrame = await frameOf(late);
    const refusedAt = Date.now();
    const timedOut = await postFrame(collector.url, lateFrame, undefined, 60_000);
    expect(timedOut.status).toBe(503);
    expect(((await timedOut.json()) as { error: { code: string } }).error.code).toBe('COLLECTOR_WAL_ARCHIVE_BEHIND');
    expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(ACK_TIMEOUT_MS - 100);
    proxy.setDown(false);
    expect((await postFrame(collector.url, lateFrame)).status, 'the retry after recovery is acknowledged').toBe(200);

    const all = [...before, ...during, ...late].map((e) => e.id);
    await waitFor(async () => exactlyOnceReport(all, await readS3Zone(s3.client(), BUCKET, 'lake', 'clean')).missing.length === 0, 30_000, 'both batches in S3 clean');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(exactlyOnceReport(all, await readS3Zone(s3.client(), BUCKET, 'lake', 'clean'))).toEqual({ missing: [], duplicates: [] });
  });
});
