/**
 * Compaction survives kill -9 at random moments: a real `shopstream-collector lake compact`
 * process is killed several times mid-run over a Parquet lake (local folder, then S3 on s3rver);
 * a final run finishes, and afterwards every row is there exactly once, each closed partition is
 * one file, and a second run changes nothing.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLakeSink } from '../../collector/src/sinks/lake/lake-sink.js';
import { createS3Sink } from '../../collector/src/sinks/aws/s3/s3-sink.js';
import { createParquetWriter } from '../../collector/src/lake/parquet-writer.js';
import { seededRandom } from '../../collector/src/lake/__tests__/mixed-workload.js';
import type { Sink } from '../../collector/src/sinks/sink.js';
import { COLLECTOR_CLI, ensureCollectorBuilt } from '../support/collector-process.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../support/kinesalite.js';
import { startS3rver, type S3rverServer } from '../support/s3rver.js';
import { getObject, listKeys } from '../aws/s3-read.js';
import { catalogAndSchemas, filesByPartition, lineageCounts, pastHourWorkload } from './lake-files.js';

const SEED = Number(process.env.LAKE_SEED ?? 4242);
const KILLS = 3;
const random = seededRandom(SEED);
const { catalog, latest } = await catalogAndSchemas();
const workload = pastHourWorkload(SEED, 2_000, latest, ['Order Completed', 'Identify']);
const ENV = { ...process.env, AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: LOCAL_REGION, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

let root: string;
let s3: S3rverServer;

beforeAll(async () => {
  console.log(`lake compaction: seed ${SEED}`);
  ensureCollectorBuilt();
  root = await mkdtemp(join(tmpdir(), 'lake-compaction-'));
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
  await rm(root, { recursive: true, force: true });
});

/** Writes the workload in 8 batches: every partition gets several files. */
async function fill(sink: Sink): Promise<void> {
  const step = Math.ceil(workload.records.length / 8);
  for (let i = 0; i < workload.records.length; i += step) expect(await sink.write(workload.records.slice(i, i + step), AbortSignal.timeout(60_000))).toMatchObject({ status: 'success' });
  await sink.close?.();
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
}

const STEPS = ['staged', 'journal', 'published', 'removed', 'rows'] as const;

/**
 * Runs `lake compact --verbose`; with `kill`, kill -9 it `kill.delayMs` after it reported step
 * `kill.step` (`rows`: a finished partition) for the `kill.nth` time: around that step of a job.
 */
function compact(args: readonly string[], kill?: { step: (typeof STEPS)[number]; nth: number; delayMs: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [COLLECTOR_CLI, 'lake', 'compact', '--closed-after-ms', '0', '--verbose', ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let killing = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!kill || killing) return;
      const seen = (stdout.match(new RegExp(`: ${kill.step === 'rows' ? '.* rows' : kill.step}$`, 'gm')) ?? []).length;
      if (seen < kill.nth) return;
      killing = true;
      if (kill.delayMs === 0) child.kill('SIGKILL');
      else setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
    });
    child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout }));
  });
}

/** kill -9 at seeded random moments, then runs to the end and once more; returns the last two runs. */
async function compactThroughKills(args: readonly string[], delayMsMax: number): Promise<{ full: Run; again: Run; killedMidway: number; recoveries: number }> {
  let killedMidway = 0;
  let recoveries = 0;
  for (let i = 0; i < KILLS; i++) {
    // The first kills land just after staging, the journal and publishing (inside a job), the rest anywhere.
    const step = i < 3 ? STEPS[i]! : STEPS[Math.floor(random() * STEPS.length)]!;
    const run = await compact(args, { step, nth: 1 + Math.floor(random() * 2), delayMs: i < 3 || random() < 0.5 ? 0 : Math.floor(random() * delayMsMax) });
    if (run.code === null) killedMidway++;
    recoveries += (run.stdout.match(/of an interrupted run/g) ?? []).length;
  }
  const full = await compact(args);
  const again = await compact(args);
  recoveries += (full.stdout.match(/of an interrupted run/g) ?? []).length;
  return { full, again, killedMidway, recoveries };
}

describe('lake compaction', () => {
  it('local lake: kill -9 at random moments of a compaction loses and duplicates nothing; a second run is a no-op', async () => {
    const lake = join(root, 'local');
    await fill(createLakeSink({ name: 'lake', dir: lake, limits: { recordsMax: 1 << 20, bytesMax: 1 << 30, recordBytesMax: 1 << 20, lingerMs: 0 }, gzipLevel: 1, catalog, format: 'parquet', parquetWriter: createParquetWriter() }));
    const before = await lineageCounts(lake);
    const partitionsBefore = await filesByPartition(lake);
    expect([...partitionsBefore.values()].some((files) => files.length >= 4)).toBe(true);
    expect(before.raw!.rows).toBe(workload.rawCount);

    const { full, again, killedMidway, recoveries } = await compactThroughKills(['--dir', lake], 40);
    console.log(`local: ${killedMidway} of ${KILLS} runs killed mid-way, ${recoveries} interrupted jobs cleaned up by the next run; final run: ${full.stdout.trim().split('\n').at(-1)}`);
    expect(full.code).toBe(0);
    expect(await lineageCounts(lake)).toEqual(Object.fromEntries(Object.entries(before).map(([zone, c]) => [zone, { rows: c.keys, keys: c.keys }])));
    const after = await filesByPartition(lake);
    expect([...after.keys()].sort()).toEqual([...partitionsBefore.keys()].sort());
    for (const files of after.values()) expect(files).toHaveLength(1);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/: 0 partitions compacted, 0 files → 0/);
    expect(await filesByPartition(lake)).toEqual(after);
    expect(killedMidway).toBe(KILLS);
    expect(recoveries).toBeGreaterThan(0);
  });

  it('S3 (s3rver): kill -9 at random moments of a compaction loses and duplicates nothing; a second run is a no-op', async () => {
    await s3.createBucket('lake');
    await fill(createS3Sink({ client: s3.client(), bucket: 'lake', prefix: 'shop', format: 'parquet', catalog, log: () => undefined }));
    const config = join(root, 's3.json');
    await writeFile(config, JSON.stringify({ sinks: [{ type: 's3', name: 's3', bucket: 'lake', prefix: 'shop', region: LOCAL_REGION, endpoint: s3.endpoint, format: 'parquet' }] }));
    const download = async (to: string) => {
      for (const key of await listKeys(s3.client(), 'lake', 'shop/')) {
        await mkdir(dirname(join(to, key)), { recursive: true });
        await writeFile(join(to, key), await getObject(s3.client(), 'lake', key));
      }
      return join(to, 'shop');
    };
    const before = await lineageCounts(await download(join(root, 's3-before')));

    const { full, again, killedMidway, recoveries } = await compactThroughKills(['--config', config], 150);
    console.log(`s3: ${killedMidway} of ${KILLS} runs killed mid-way, ${recoveries} interrupted jobs cleaned up by the next run; final run: ${full.stdout.trim().split('\n').at(-1)}`);
    expect(full.code).toBe(0);
    const afterDir = await download(join(root, 's3-after'));
    expect(await lineageCounts(afterDir)).toEqual(Object.fromEntries(Object.entries(before).map(([zone, c]) => [zone, { rows: c.keys, keys: c.keys }])));
    for (const files of (await filesByPartition(afterDir)).values()) expect(files).toHaveLength(1);
    expect(again.stdout).toMatch(/: 0 partitions compacted, 0 files → 0/);
    expect((await listKeys(s3.client(), 'lake', 'shop/_compact/')).length).toBe(0);
    expect(killedMidway).toBe(KILLS);
    expect(recoveries).toBeGreaterThan(0);
  });
});
