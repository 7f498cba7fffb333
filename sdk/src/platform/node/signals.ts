import type { Client } from '../../client.js';

/**
 * SIGTERM/SIGINT → `close()` within the deadline, then exit with the conventional 128+signal
 * code. Orchestrators send SIGTERM and wait a grace period (Kubernetes: 30 s) before SIGKILL, so
 * the deadline must fit inside it. A second signal exits at once.
 */
export function installSignalHandlers(client: Client, deadlineMs: number): () => void {
  let closing = false;
  const handler = (signal: NodeJS.Signals): void => {
    const code = 128 + (signal === 'SIGINT' ? 2 : 15);
    if (closing) process.exit(code);
    closing = true;
    void client.close({ deadlineMs }).finally(() => process.exit(code));
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
