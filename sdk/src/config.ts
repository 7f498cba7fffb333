import type { Codec, EnvelopeEncoding, EventEnvelope, Sealer } from '@shopstream/shared';
import { SdkError } from './errors.js';
import type { Storage } from './storage/storage.js';
import type { Sleep } from './transport/retrying.js';
import type { Transport } from './transport/transport.js';

/** A batch as hooks see it: the envelopes that were sent (or given up on) together. */
export interface BatchInfo {
  readonly id: string;
  readonly events: readonly EventEnvelope[];
}

/** Timer functions, injected so batching-by-time tests need no fake global timers. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Tunables of the core client. Every buffer and retry has a limit, with its unit in the name.
 * Platform entries (`@shopstream/sdk/node`, `/browser`) supply the I/O below and their own defaults.
 */
export interface ClientSettings {
  /** The source's write key, sent as `Authorization: Bearer <writeKey>`. */
  readonly writeKey: string;
  /** A batch is cut at this many events. Default 500. */
  readonly batchEventsMax?: number;
  /** A batch is cut before its estimated (pre-compression) size passes this. Default 512 KiB. */
  readonly batchBytesMax?: number;
  /** A non-empty batch is cut at most this long after its first event. Default 1000 ms. */
  readonly flushIntervalMs?: number;
  /** Cap on estimated event bytes held in process memory: the open batch, batches being stored, and (MemoryStorage) stored batches until acknowledged. With a durable storage, batches read back for sending are bounded by inFlightMax × batchBytesMax instead. Default 8 MiB (JS objects take ~3x that in heap). */
  readonly bufferedBytesMax?: number;
  /** At the cap: `block` makes `track()` return a promise that settles once there is room; `drop` counts and drops. Default `block`. */
  readonly overflow?: 'block' | 'drop';
  /** With `overflow: 'block'`, at most this many calls wait; more are dropped and counted. Default 10,000. */
  readonly waitingEventsMax?: number;
  /** An event larger than this (estimated) is refused with SDK_EVENT_TOO_LARGE. Default 64 KiB. */
  readonly eventBytesMax?: number;
  /** Requests in flight at once. Default 4. */
  readonly inFlightMax?: number;
  /** Per-request timeout. Default 10 s. */
  readonly requestTimeoutMs?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly retryAfterMaxMs?: number;
  /** Sends per delivery round before the batch is handed to `onError` and parked. Default 6. */
  readonly attemptsMax?: number;
  /** After `attemptsMax`: `keep` parks the batch in storage and tries again after `retryMaxMs`; `drop` counts and drops it. Default `keep`. */
  readonly onRetriesExhausted?: 'keep' | 'drop';
  /** Stamped on events that carry no `anonymousId` of their own (a browser's device id). */
  readonly anonymousId?: string;
  /** `identify()`/`alias()` set the user for later events (browser: one user per client). Node default false: one client serves many users. */
  readonly rememberIdentity?: boolean;
  /** Merged into every event's `context` (library name and version, app, ...). */
  readonly context?: Record<string, unknown>;
  /**
   * A batch could not be delivered (final 4xx, retries exhausted; 401/403 as `SDK_UNAUTHORIZED`
   * once per pause, the batch kept), an event was dropped (batch undefined), or close() left
   * events undelivered (`SDK_UNDELIVERED`, with the count and why).
   */
  readonly onError?: (error: Error, batch: BatchInfo | undefined) => void;
  /** A batch was acknowledged with a 2xx. */
  readonly onDelivered?: (batch: BatchInfo) => void;
}

/** The I/O the core needs, supplied by the platform entry (or by tests). */
export interface ClientIo {
  readonly transport: Transport;
  readonly storage: Storage;
  readonly codec: Codec;
  readonly encoding: EnvelopeEncoding;
  readonly sealer?: Sealer;
  readonly now?: () => number;
  /** Uniform in [0, 1), for backoff jitter. */
  readonly random?: () => number;
  /** Event and batch ids; UUIDv7 by default. */
  readonly uuid?: () => string;
  readonly timers?: Timers;
  readonly sleep?: Sleep;
}

export type ClientOptions = ClientSettings & ClientIo;

export interface ResolvedSettings {
  readonly writeKey: string;
  readonly batchEventsMax: number;
  readonly batchBytesMax: number;
  readonly flushIntervalMs: number;
  readonly bufferedBytesMax: number;
  readonly overflow: 'block' | 'drop';
  readonly waitingEventsMax: number;
  readonly eventBytesMax: number;
  readonly inFlightMax: number;
  readonly requestTimeoutMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly retryAfterMaxMs: number;
  readonly attemptsMax: number;
  readonly onRetriesExhausted: 'keep' | 'drop';
}

export const DEFAULT_SETTINGS: Omit<ResolvedSettings, 'writeKey'> = {
  batchEventsMax: 500,
  batchBytesMax: 512 * 1024,
  flushIntervalMs: 1000,
  bufferedBytesMax: 8 * 1024 * 1024,
  overflow: 'block',
  waitingEventsMax: 10_000,
  eventBytesMax: 64 * 1024,
  inFlightMax: 4,
  requestTimeoutMs: 10_000,
  retryBaseMs: 100,
  retryMaxMs: 30_000,
  retryAfterMaxMs: 300_000,
  attemptsMax: 6,
  onRetriesExhausted: 'keep',
};

const POSITIVE_INTEGER_KEYS = [
  'batchEventsMax',
  'batchBytesMax',
  'flushIntervalMs',
  'bufferedBytesMax',
  'eventBytesMax',
  'inFlightMax',
  'requestTimeoutMs',
  'retryMaxMs',
  'retryAfterMaxMs',
  'attemptsMax',
] as const;

/** Fills defaults and refuses settings that would break a limit (a bug: throws SDK_CONFIG_INVALID). */
export function resolveSettings(settings: ClientSettings): ResolvedSettings {
  if (typeof settings.writeKey !== 'string' || settings.writeKey.trim() === '') {
    throw new SdkError('SDK_CONFIG_INVALID', 'writeKey is required: pass the source write key shown in the collector config');
  }
  const resolved: ResolvedSettings = { ...DEFAULT_SETTINGS, ...withoutUndefined(settings), writeKey: settings.writeKey };
  for (const key of POSITIVE_INTEGER_KEYS) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value <= 0) {
      throw new SdkError('SDK_CONFIG_INVALID', `${key} must be a positive integer, got ${String(value)}`);
    }
  }
  if (!Number.isInteger(resolved.retryBaseMs) || resolved.retryBaseMs < 0) {
    throw new SdkError('SDK_CONFIG_INVALID', `retryBaseMs must be a non-negative integer, got ${String(resolved.retryBaseMs)}`);
  }
  if (resolved.eventBytesMax > resolved.bufferedBytesMax) {
    throw new SdkError('SDK_CONFIG_INVALID', `eventBytesMax (${resolved.eventBytesMax}) must not exceed bufferedBytesMax (${resolved.bufferedBytesMax})`);
  }
  if (resolved.overflow !== 'block' && resolved.overflow !== 'drop') {
    throw new SdkError('SDK_CONFIG_INVALID', `overflow must be 'block' or 'drop', got ${String(resolved.overflow)}`);
  }
  return resolved;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
