/**
 * The browser client: `track()` builds an envelope synchronously, keeps it in memory for the
 * rest of this task and writes all events of the task to the IndexedDB queue in one
 * transaction; a timer (or a full batch) starts delivery, which only the tab holding the flush
 * lock runs. When the page is hidden or goes away, the events this tab tracked and has not seen
 * acknowledged go out by beacon and stay queued: the next flush (here or on the next visit)
 * resends them until a 2xx, and the collector drops the copies by event id. Events whose
 * IndexedDB write has not committed when the page goes are spilled to first-party storage
 * (spill.ts) and queued by the next start.
 */
import { firstGreedyRun, type EventEnvelope, type EventKind } from '@shopstream/shared';
import { SdkError } from '../../errors.js';
import { createIndexedDbQueue, type IndexedDbQueue } from '../../storage/indexeddb.js';
import type { StoredBatch } from '../../storage/storage.js';
import { createFetchTransport } from '../../transport/fetch.js';
import { KEEPALIVE_BODY_BYTES_MAX, textPlainBody } from '../../transport/keepalive-body.js';
import type { Transport } from '../../transport/transport.js';
import { batchUrl, resolveBrowserConfig, type BrowserConfig } from './config.js';
import { createContextReader } from './context.js';
import { deliverQueued, stampForSending, type DeliverIo } from './queue-delivery.js';
import { isoTimestamps, pooledUuidV7 } from './fast-clock.js';
import { anonymousId, IdentityKey } from './identity.js';
import { firstPartyKeyValue, type KeyValue } from './key-value.js';
import { encodeRequestBody } from './request-body.js';
import { isSampledOut } from './sampling.js';
import { touchSession } from './session.js';
import { readSpill, rewriteSpill, SPILL_KEY } from './spill.js';
import { withFlushLock, type TabLockOptions } from './tab-lock.js';

export const LIBRARY = { name: '@shopstream/sdk/browser', version: '0.1.0' } as const;

/** Room left in a beacon for the frame header and JSON brackets. */
const BEACON_EVENTS_BYTES_MAX = KEEPALIVE_BODY_BYTES_MAX - 1_024;

export interface BrowserClient {
  /** Records an event; returns its id, or undefined when sampled out or consent is missing. */
  track(type: string, properties?: Record<string, unknown>): string | undefined;
  /** Any call (`page`, `identify`, … live in calls.ts so apps that do not use them do not ship them). */
  record(kind: EventKind, type: string, fields: Partial<EventEnvelope>): string | undefined;
  /** Tries to deliver everything queued now (unless another tab is sending or a backoff runs). */
  flush(): Promise<void>;
  /** Consent seam: disabled, nothing is stored or sent, and what was tracked and not yet written is forgotten. */
  setEnabled(enabled: boolean): void;
  /** The IndexedDB queue once this tab's pending writes are done (`revokeConsent` clears it, `queuedEvents` counts it). */
  store(): Promise<IndexedDbQueue>;
  readonly kv: KeyValue;
  /** Removes listeners and timers (tests, re-init). */
  close(): void;
}

/** I/O seams with browser defaults; tests and odd runtimes pass their own. */
export interface BrowserIo {
  readonly queue?: IndexedDbQueue;
  readonly transport?: Transport;
  /**
   * `navigator.sendBeacon` by default. Its answer is not checked: `true` proves nothing (Chromium
   * takes a beacon offline and never sends it) and beaconed events stay queued either way.
   */
  readonly sendBeacon?: (url: string, data: Blob) => boolean;
  readonly kv?: KeyValue;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly uuid?: () => string;
}

export function createBrowserClient(options: BrowserConfig, io: BrowserIo = {}): BrowserClient {
  const config = resolveBrowserConfig(options);
  const url = batchUrl(config);
  const {
    now = Date.now,
    random = Math.random,
    uuid = pooledUuidV7(now),
    kv = firstPartyKeyValue(),
    transport = createFetchTransport({ url, now }),
    sendBeacon: beacon = (to, data) => navigator.sendBeacon(to, data),
  } = io;
  const iso = isoTimestamps();
  const tabId = uuid();
  const readContext = createContextReader(LIBRARY);
  // idb-keyval opens the database on the first transaction: nothing is stored before consent.
  const queue = io.queue ?? createIndexedDbQueue({ countMax: config.queueEventsMax, bytesMax: config.queueBytesMax });

  let enabled = config.consent !== 'required' || kv.getItem(IdentityKey.consent) === 'granted';
  let closed = false;
  /** Tracked in this task, not yet written to IndexedDB. */
  let pending: StoredBatch[] = [];
  let persisting: Promise<void> = Promise.resolve();
  /** Tracked and not yet committed to IndexedDB (pending or being written): what `spill` saves. */
  const uncommitted = new Map<string, StoredBatch>();
  let spilled = false;
  /**
   * Tracked by this tab, neither seen acknowledged nor beaconed yet: what a beacon carries when
   * the page goes. A beaconed event leaves this map only; it stays in the IndexedDB queue.
   */
  const unacked = new Map<string, StoredBatch>();
  /** Acknowledged, or beaconed: no longer this tab's to beacon. */
  const forget = (records: readonly StoredBatch[]) => records.forEach((stored) => unacked.delete(stored.id));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAtMs = Infinity;
  let flushing: Promise<void> | undefined;
  let flushAgain = false;
  /** What delivery and the tab lock need, made once. */
  const deliveryIo: DeliverIo & TabLockOptions = {
    queue,
    transport,
    now,
    iso,
    random,
    active: () => enabled && !closed && navigator.onLine !== false,
    onAcked: forget,
    owner: tabId,
    leaseMs: config.requestTimeoutMs * 3,
    locks: navigator.locks,
  };

  /** One timer, moved earlier when a sooner flush is wanted. */
  const schedule = (afterMs: number) => {
    const atMs = now() + afterMs;
    if (timerAtMs <= atMs) return;
    clearTimeout(timer);
    timerAtMs = atMs;
    timer = setTimeout(() => {
      timerAtMs = Infinity;
      void flush();
    }, afterMs);
  };

  const report = (error: unknown) => config.onError?.(error instanceof Error ? error : new Error(String(error)));

  function persist(): void {
    const batch = pending;
    pending = [];
    persisting = persisting
      .then(() => queue.append(batch))
      .then(({ count }) => {
        const ids = new Set(batch.map((stored) => stored.id));
        for (const id of ids) uncommitted.delete(id);
        if (spilled) {
          rewriteSpill(kv, ids, []); // the page lived on (hidden, back from bfcache)
          spilled = uncommitted.size > 0; // all of ours out of the spill: later commits skip localStorage
        }
        if (count >= config.batchEventsMax) void flush();
        else schedule(config.flushIntervalMs);
      }, report);
  }

  function record(kind: EventKind, type: string, fields: Partial<EventEnvelope>): string | undefined {
    if (!enabled || closed) return undefined;
    const rate = config.sample?.[type];
    if (isSampledOut(rate, random)) return undefined;
    const nowMs = now();
    // Fields left undefined (no user id, no sample rate, no properties) vanish in JSON.
    const event: EventEnvelope = {
      id: uuid(),
      type,
      kind,
      anonymousId: anonymousId(kv, uuid),
      userId: kv.getItem(IdentityKey.userId) || undefined,
      sessionId: touchSession(kv, nowMs, config.sessionTimeoutMs, uuid),
      timestamp: iso(nowMs),
      context: { ...readContext(), ...config.context, sampleRate: rate },
      ...fields,
    };
    let bytes: number;
    try {
      // Native JSON.stringify: ~7 µs here and no estimator code in the bundle; it also refuses
      // now, at the call, what could never be sent (circular values, BigInt).
      bytes = JSON.stringify(event).length;
    } catch (error) {
      report(new SdkError('SDK_EVENT_INVALID', type, { cause: error })); // not JSON
      return undefined;
    }
    const stored: StoredBatch = { id: event.id, events: [event], bytes };
    if (pending.length === 0) queueMicrotask(persist);
    pending.push(stored);
    uncommitted.set(event.id, stored);
    unacked.set(event.id, stored);
    if (unacked.size > config.queueEventsMax) unacked.delete(unacked.keys().next().value as string);
    return event.id;
  }

  async function flush(): Promise<void> {
    if (!enabled || closed) return;
    if (flushing) {
      flushAgain = true;
      return flushing;
    }
    flushing = (async () => {
      await persisting;
      const retryAfterMs = await withFlushLock(deliveryIo, (renew) => deliverQueued(config, deliveryIo, renew));
      // false: another tab is sending; look again later. undefined: nothing to send.
      if (retryAfterMs !== undefined) schedule(retryAfterMs === false ? config.flushIntervalMs : retryAfterMs);
    })()
      .catch(report)
      .finally(() => {
        flushing = undefined;
        if (flushAgain) {
          flushAgain = false;
          void flush();
        }
      });
    return flushing;
  }

  /** Synchronous, for a page being torn down: IndexedDB writes still running may be aborted. */
  function spill(): void {
    if (uncommitted.size === 0) return;
    try {
      rewriteSpill(kv, uncommitted, uncommitted.values());
      spilled = true;
    } catch (error) {
      report(error); // storage full: the beacon is the last chance
    }
  }

  function sendBeacon(): void {
    if (!enabled || closed) return;
    spill();
    // The oldest that fit one beacon (shared's greedy split, as delivery cuts its batches).
    const records = firstGreedyRun([...unacked.values()], (stored) => stored.bytes, BEACON_EVENTS_BYTES_MAX);
    forget(records);
    // Uncompressed and no awaits on tasks: a page in `pagehide` still runs microtasks.
    if (records.length) void encodeRequestBody(stampForSending(records, 0, iso(now())), config.sealer, true)
      .then((body) => beacon(url, textPlainBody(body)))
      .catch(report);
  }

  // One signal removes every listener on close().
  const listening = new AbortController();
  const listen = (type: string, fn: () => void) => addEventListener(type, fn, { signal: listening.signal });
  listen('visibilitychange', () => (document.visibilityState === 'hidden' ? sendBeacon() : void flush()));
  listen('pagehide', sendBeacon);
  listen('online', flush);
  if (enabled) {
    // What a closing tab could not commit: queued before the first flush looks at the queue.
    const restored = readSpill(kv);
    if (restored.length) {
      kv.removeItem(SPILL_KEY);
      persisting = queue.append(restored).then(() => undefined, report);
    }
    void flush(); // what earlier visits left behind
  }

  const store = async () => (await persisting, queue);

  return {
    kv,
    track: (type, properties) => record('track', type, { properties }),
    record,
    flush,
    store,
    setEnabled: (on) => {
      enabled = on;
      if (on) void flush();
      else {
        // Consent revoked: nothing tracked here may be written or beaconed any more.
        pending = [];
        unacked.clear();
        uncommitted.clear();
      }
    },
    close: () => {
      closed = true;
      clearTimeout(timer);
      listening.abort();
    },
  };
}
