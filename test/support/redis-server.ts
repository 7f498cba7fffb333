/**
 * Starts Debian's `redis-server` on 127.0.0.1 and a free port, in a temp dir, with no
 * persistence (`--save '' --appendonly no`). Redis cannot listen on port 0, so a free port is
 * probed first and the start is retried if another process takes it in between.
 * `kill()` is SIGKILL (a crash, for fail-mode tests); `stop()` a clean shutdown. Both remove
 * the temp dir. Pass `port` to start again on the port of a killed server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const START_TRIES_MAX = 5;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function startRedisServer(options: { port?: number } = {}): Promise<RedisServer> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < START_TRIES_MAX; attempt++) {
    const port = options.port ?? (await freePort());
    const dir = await mkdtemp(join(tmpdir(), 'redis-'));
    try {
      return await startOn(port, dir);
    } catch (error) {
      lastError = error as Error;
      await rm(dir, { recursive: true, force: true });
      if (options.port !== undefined) await new Promise((resolve) => setTimeout(resolve, 200)); // the old one may still be closing its socket
    }
  }
  throw new Error(`redis-server did not start after ${START_TRIES_MAX} tries: ${lastError?.message}`);
}

async function startOn(port: number, dir: string): Promise<RedisServer> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'notice'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await waitForReady(child, port);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid!, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}

function waitForReady(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port} not ready within ${START_TIMEOUT_MS} ms: ${output.slice(-500)}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume(); // keep draining so redis never blocks on a full pipe
        child.stderr?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on port ${port} exited (${code ?? signal}) before it was ready: ${output.slice(-500)}`));
    });
  });
}
