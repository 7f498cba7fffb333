/**
 * One collector as a real process (`collector/dist/cli.js serve --config <file>`), for fleet
 * tests: its WAL and lake in `dir`, listening on a 127.0.0.1 port that survives restarts, so
 * nginx keeps routing to it. `kill9()` is a crash; `stop()` is SIGTERM (graceful drain) and
 * returns the exit code; `restart()` starts it again on the same port and dirs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../support/redis-server.js';

export interface CollectorProcess {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly lakeDir: string;
  readonly pid: () => number | undefined;
  output(): string;
  kill9(): Promise<void>;
  stop(): Promise<number | null>;
  restart(): Promise<void>;
}

const CLI = join(import.meta.dirname, '..', '..', '..', 'collector', 'dist', 'cli.js');
const READY_TIMEOUT_MS = 20_000;

export async function startCollectorProcess(options: { name: string; dir: string; config: Record<string, unknown>; env?: Record<string, string> }): Promise<CollectorProcess> {
  const port = await freePort();
  const lakeDir = join(options.dir, 'lake');
  const configPath = join(options.dir, 'collector.json');
  await writeFile(configPath, JSON.stringify({ ...options.config, listen: { host: '127.0.0.1', port }, wal: { dir: join(options.dir, 'wal') }, lake: { dir: lakeDir } }, null, 2));
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let output = '';

  const launch = async () => {
    child = spawn(process.execPath, [CLI, 'serve', '--config', configPath], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${options.name} not ready after ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        output += chunk;
        if (output.includes(`ready on http://127.0.0.1:${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited with ${code} before ready:\n${output}`));
      });
    });
    await ready;
  };
  await launch();

  return {
    name: options.name,
    port,
    url: `http://127.0.0.1:${port}`,
    lakeDir,
    pid: () => child.pid,
    output: () => output,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    restart: async () => {
      if (child.exitCode === null && child.signalCode === null) throw new Error(`${options.name} is still running`);
      await launch();
    },
  };
}
