// Test doubles for the core's injected I/O: a recording transport that decodes frames, and manual timers.
import { decodeFrame, identityCodec, jsonEncoding, msgpackEncoding, type EventEnvelope } from '@shopstream/shared';
import type { Timers } from '../config.js';
import type { DeliveryOutcome } from '../delivery/delivery-outcome.js';
import type { Transport } from '../transport/transport.js';

export interface RecordedSend {
  readonly events: EventEnvelope[];
  readonly headers: Record<string, string>;
  readonly bytes: number;
}

/** Decodes every frame it is given and answers with `answer(sendIndex, events)` (default success). */
export function recordingTransport(answer: (index: number, events: EventEnvelope[]) => DeliveryOutcome | Promise<DeliveryOutcome> = () => ({ status: 'success' })) {
  const sends: RecordedSend[] = [];
  const transport: Transport = {
    async send(body, headers) {
      const events = (await decodeFrame(body, { codecs: { 0: identityCodec }, encodings: { 0: msgpackEncoding, 1: jsonEncoding }, maxDecodedBytes: 1 << 26 })) as EventEnvelope[];
      const index = sends.length;
      sends.push({ events, headers, bytes: body.length });
      return answer(index, events);
    },
  };
  return { transport, sends };
}

/** Timers that fire only when the test advances time. */
export function manualTimers() {
  let nowMs = 1_790_000_000_000;
  let nextId = 1;
  const pending = new Map<number, { atMs: number; fn: () => void }>();
  const timers: Timers = {
    setTimeout(fn, ms) {
      const id = nextId++;
      pending.set(id, { atMs: nowMs + ms, fn });
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };
  return {
    timers,
    now: () => nowMs,
    pendingCount: () => pending.size,
    advance(ms: number) {
      nowMs += ms;
      for (const [id, timer] of [...pending]) {
        if (timer.atMs <= nowMs) {
          pending.delete(id);
          timer.fn();
        }
      }
    },
  };
}

/** Lets queued promise callbacks run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
