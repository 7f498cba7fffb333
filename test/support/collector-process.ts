/**
 * Runs a BUILT collector (`collector/dist/cli.js`; build with `cd collector && npx tsup`) as a
 * child process on 127.0.0.1 with a free port and its own temp WAL and lake directories, waits
 * for /readyz and the CLI's `ready on` line (delivery started), and can kill -9 it, stop it with a signal and restart it on the same dirs and port.
 * Also reads the lake back (`readLake`) so tests can count what landed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const COLLECTOR_CLI = fileURLToPath(new URL('../../collector/dist/cli.js', import.meta.url));

export interface CollectorProcessOptions {
  /** Config object written as JSON and passed with `--config`. `wal.dir` and `lake.dir` are filled in. */
  readonly config?: Record<string, unknown>;
  /** Extra environment (e.g. `SHOPSTREAM_LOG_LEVEL`). */
  readonly env?: Record<string, string>;
  /** Reuse this directory (holding `wal/` and `lake/`) instead of a fresh temp one. */
  readonly dir?: string;
  /** How long to wait for /readyz. */
  readonly readyTimeoutMs?: number;
}

export interface CollectorProcess {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly walDir: string;
  readonly lakeDir: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** What the process wrote to stdout alone (JSON log lines). */
  stdout(): string;
  /** SIGKILL: no shutdown code runs. */
  kill9(): Promise<void>;
  /** Sends `signal` and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  /** Starts a new process on the same dirs and port (after the old one is gone). */
  restart(): Promise<CollectorProcess>;
  /** Kills the process (if alive) and deletes the directory. */
  cleanup(): Promise<void>;
}

export function ensureCollectorBuilt(): void {
  if (existsSync(COLLECTOR_CLI)) return;
  const built = spawnSync('npx', ['tsup'], { cwd: fileURLToPath(new URL('../../collector/', import.meta.url)), stdio: 'inherit' });
  if (built.status !== 0) throw new Error('building the collector failed (cd collector && npx tsup)');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startCollectorProcess(options: CollectorProcessOptions = {}): Promise<CollectorProcess> {
  ensureCollectorBuilt();
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'shopstream-collector-')));
  const port = await freePort();
  return launch(dir, port, options);
}

async function launch(dir: string, port: number, options: CollectorProcessOptions): Promise<CollectorProcess> {
  const walDir = join(dir, 'wal');
  const lakeDir = join(dir, 'lake');
  const configPath = join(dir, 'collector.json');
  // Tests read the lake within seconds: without sinks of their own they get the default lake
  // sink with a short roll age instead of the 10 s default (which keeps file counts low).
  const config = { sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 200 } }], ...options.config };
  await writeFile(configPath, JSON.stringify({ ...config, wal: { ...(config.wal as object), dir: walDir }, lake: { ...(config.lake as object), dir: lakeDir } }));
  const child = spawn(process.execPath, [COLLECTOR_CLI, 'serve', '--config', configPath], {
    env: { ...process.env, SHOPSTREAM_LOG_LEVEL: 'warn', ...options.env, PORT: String(port), SHOPSTREAM_LISTEN_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, child, () => output, options.readyTimeoutMs ?? 20_000);

  const gone = async () => {
    if (child.exitCode === null && child.signalCode === null) await exited;
  };
  const handle: CollectorProcess = {
    url, port, dir, walDir, lakeDir, child,
    output: () => output,
    stdout: () => stdout,
    async kill9() {
      child.kill('SIGKILL');
      await gone();
    },
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async restart() {
      await handle.kill9().catch(() => undefined);
      return launch(dir, port, options);
    },
    async cleanup() {
      if (child.exitCode === null && child.signalCode === null) await handle.kill9();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

async function waitReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`collector exited (${child.exitCode ?? child.signalCode}) before ready:\n${output()}`);
    try {
      // /readyz turns green once the WAL takes batches, which can be before delivery has started;
      // `ready on` is printed once the whole start (sinks built, schemas checked) has succeeded.
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200 && output().includes('shopstream-collector: ready on')) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`collector not ready within ${timeoutMs} ms:\n${output()}`);
}

/** Every JSON line in the lake's `zone`, with the file it came from; `.tmp` files are skipped. */
export async function readLake(lakeDir: string, zone: 'raw' | 'clean' | 'failed' | 'audit'): Promise<{ file: string; value: Record<string, unknown> }[]> {
  const out: { file: string; value: Record<string, unknown> }[] = [];
  const root = join(lakeDir, zone);
  if (!existsSync(root)) return out;
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ndjson.gz') || entry.name.startsWith('.tmp')) continue;
    const file = join(entry.parentPath, entry.name);
    const text = gunzipSync(await readFile(file)).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') out.push({ file, value: JSON.parse(line) as Record<string, unknown> });
  }
  return out;
}

/** Polls until `check` returns true (or throws after `timeoutMs`). */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
