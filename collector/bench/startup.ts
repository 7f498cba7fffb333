/**
 * Start-up time: from spawning the built CLI (`dist/cli.js serve --config <file>`) to the first
 * 200 from `/readyz`, with a lake, an S3 and a Kinesis sink configured (their endpoints point at
 * a closed local port: the AWS clients load in the delivery worker and nothing at start waits for
 * them). Each run gets a fresh WAL directory. Baseline: `node -e ""` spawned the same way, timed
 * to its exit (what starting Node at all costs on this machine, in this run).
 *
 * Closing line: value = median ms to ready, baseline = median ms of `node -e ""`, ratio = value/baseline.
 * `BENCH_RUNS` (default 9) sets the runs of each.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/local-process.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const READY_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 2;
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');

function readyzOk(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Ms from spawn to the first green /readyz. */
async function collectorStartMs(closedPort: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'shopstream-startup-'));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${closedPort}`;
  const configPath = join(dir, 'collector.json');
  await writeFile(
    configPath,
    JSON.stringify({
      listen: { host: '127.0.0.1', port },
      wal: { dir: join(dir, 'wal') },
      lake: { dir: join(dir, 'lake') },
      sinks: [
        { type: 'lake', name: 'lake' },
        { type: 's3', name: 's3', bucket: 'shopstream-lake', region: 'us-east-1', endpoint, format: 'parquet' },
        { type: 'kinesis', name: 'kinesis', streamName: 'shopstream-events', region: 'us-east-1', endpoint },
      ],
      log: { level: 'error' },
    }),
  );
  const startedMs = performance.now();
  const child = spawn(process.execPath, [cli, 'serve', '--config', configPath], {
    stdio: 'ignore',
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' },
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error('the collector exited before it was ready');
      if (await readyzOk(port)) return performance.now() - startedMs;
      if (performance.now() - startedMs > READY_TIMEOUT_MS) throw new Error(`not ready within ${READY_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  } finally {
    const gone = new Promise((resolve) => (exited ? resolve(undefined) : child.once('exit', resolve)));
    child.kill('SIGKILL');
    await gone;
    await rm(dir, { recursive: true, force: true });
  }
}

/** Ms from spawn to exit of `node -e ""`. */
function bareNodeMs(): Promise<number> {
  const startedMs = performance.now();
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - startedMs));
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

if (!existsSync(cli)) {
  console.error('build the collector first: cd collector && npx tsup');
  process.exit(1);
}
const closedPort = await freePort();
const collector: number[] = [];
const bare: number[] = [];
// Interleaved, so a burst of load from elsewhere on the machine hits both sides alike.
for (let i = 0; i < RUNS; i++) {
  bare.push(await bareNodeMs());
  collector.push(await collectorStartMs(closedPort));
}
const round = (ms: number) => Math.round(ms);
console.error(`collector start to /readyz (ms): ${collector.map(round).join(' ')}`);
console.error(`node -e "" start to exit (ms):   ${bare.map(round).join(' ')}`);
const value = round(median(collector));
const baseline = round(median(bare));
console.log(JSON.stringify({ bench: 'startup', value, unit: 'ms', baseline, ratio: Math.round((value / baseline) * 100) / 100 }));
