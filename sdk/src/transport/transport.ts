import type { Outcome } from '@shopstream/shared';

/**
 * Sends one encoded batch frame to the collector. Implementations: undici (Node), fetch and
 * sendBeacon (browser); `retrying-transport.ts` wraps any of them with backoff. Tests pass a
 * fake in, so no test needs to patch globals.
 */
export interface Transport {
  send(body: Uint8Array, headers: Record<string, string>, timeoutMs: number): Promise<Outcome>;
  /** Releases sockets (keep-alive pools); wrappers pass it through. Called by the client's `close()`. */
  close?(): Promise<void>;
}
