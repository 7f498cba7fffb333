/**
 * `handleSignals: true`: SIGTERM makes a Node service deliver what it buffered (memory queue, a
 * batch not yet cut: flushIntervalMs is 60 s here) within the close deadline, then exit 143.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startFrameSinkServer, type FrameSinkServer } from '../support/frame-sink-server.js';
import { waitFor } from '../support/collector-process.js';

let sink: FrameSinkServer | undefined;
afterAll(async () => {
  await sink?.close();
});

describe('sdk-node: signals', () => {
  it('SIGTERM → close() delivers the open batch, then the process exits with 143', async () => {
    sink = await startFrameSinkServer();
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/tracker.ts', import.meta.url)), 'signal', sink.url, '-', '300'], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => out.includes('READY'), 30_000, 'child tracked 300 events');
      expect(sink.uniqueIds()).toBe(0); // nothing sent yet: the batch is still open
      const sentAtMs = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(143);
      expect(Date.now() - sentAtMs).toBeLessThan(5_000);
      expect(sink.uniqueIds()).toBe(300);
      expect(sink.duplicates()).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
