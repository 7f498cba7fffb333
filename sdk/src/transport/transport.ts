import type { DeliveryOutcome } from '../delivery/delivery-outcome.js';

/**
 * Sends one encoded batch frame to the collector. Implementations: undici (Node), fetch and
 * sendBeacon (browser); `retrying.ts` wraps any of them with backoff; `../delivery/classify-status.ts` says what an HTTP status means. Tests pass a
 * fake in, so no test needs to patch globals.
 */
export interface Transport {
  send(body: Uint8Array, headers: Record<string, string>, timeoutMs: number): Promise<DeliveryOutcome>;
  /** Releases sockets (keep-alive pools); wrappers pass it through. Called by the client's `close()`. */
  close?(): Promise<void>;
}
