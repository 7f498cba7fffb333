import type { Sealer } from '@shopstream/shared';
import { SdkError } from '../../errors.js';

/**
 * Settings of the browser client. Defaults are smaller than Node's: a page sends little, may
 * vanish at any moment, and a keepalive request or a beacon carries at most 64 KiB.
 */
export interface BrowserConfig {
  /** The source's write key; sent in the URL query (`?writeKey=`) so requests stay CORS-simple and beacons work. */
  readonly writeKey: string;
  /** Collector base URL, e.g. `https://collect.shop.example`; batches go to `<endpoint>/v1/batch`. */
  readonly endpoint: string;
  /** A batch is cut at this many events. Default 100. */
  readonly batchEventsMax?: number;
  /** A batch is cut before its estimated JSON size passes this. Default 64 KiB. */
  readonly batchBytesMax?: number;
  /** Queued events are sent at most this long after being tracked. Default 3000 ms. */
  readonly flushIntervalMs?: number;
  /** Events the IndexedDB queue holds; past it the oldest are dropped and their count is sent. Default 5,000. */
  readonly queueEventsMax?: number;
  /** Estimated bytes the IndexedDB queue holds. Default 5 MiB. */
  readonly queueBytesMax?: number;
  /** Per-request timeout. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** First backoff ceiling after a failed send; doubles per attempt (full jitter). Default 1 s. */
  readonly retryBaseMs?: number;
  /** Backoff ceiling. Default 60 s. */
  readonly retryMaxMs?: number;
  /** A collector's `Retry-After` is honoured up to this. Default 10 min. */
  readonly retryAfterMaxMs?: number;
  /** A session ends after this long without events. Default 30 min. */
  readonly sessionTimeoutMs?: number;
  /** `required`: nothing is stored or sent before `consent.grant()`. Default `granted`. */
  readonly consent?: 'granted' | 'required';
  /** Keep rate per event type, e.g. `{ 'Product Viewed': 0.1 }`; unlisted types are all kept. */
  readonly sample?: Readonly<Record<string, number>>;
  /** Seals every frame to the collector's public key (see `createSealer`); imported only by apps that use it. */
  readonly sealer?: Sealer;
  /** Merged into every event's context. */
  readonly context?: Record<string, unknown>;
  /** Called once per failed send or refused batch; never per event. */
  readonly onError?: (error: Error) => void;
}

/** Options without a default stay optional (`consent` is only ever compared with `'required'`). */
type Optional = 'consent' | 'sample' | 'sealer' | 'context' | 'onError';
export type ResolvedBrowserConfig = Required<Omit<BrowserConfig, Optional>> & Pick<BrowserConfig, Optional>;

export function resolveBrowserConfig(config: BrowserConfig): ResolvedBrowserConfig {
  if (!config.writeKey || !config.endpoint) {
    throw new SdkError('SDK_CONFIG_INVALID', 'init() needs writeKey and endpoint');
  }
  return {
    batchEventsMax: 100,
    batchBytesMax: 65_536, // 64 KiB
    flushIntervalMs: 3_000,
    queueEventsMax: 5_000,
    queueBytesMax: 5_242_880, // 5 MiB
    requestTimeoutMs: 10_000,
    retryBaseMs: 1_000,
    retryMaxMs: 60_000,
    retryAfterMaxMs: 600_000, // 10 min
    sessionTimeoutMs: 1_800_000, // 30 min
    ...config,
  };
}

/** `<endpoint>/v1/batch?writeKey=…`: the one URL fetch and beacons both post to. */
export function batchUrl(config: Pick<BrowserConfig, 'endpoint' | 'writeKey'>): string {
  return `${config.endpoint.replace(/\/+$/, '')}/v1/batch?writeKey=${encodeURIComponent(config.writeKey)}`;
}
