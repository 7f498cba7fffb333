/**
 * Connects the storefront to the browser SDK: the one file that knows the SDK's API. It counts
 * the events this tab tracked and asks the SDK how many still wait in its IndexedDB queue, for
 * the live panel.
 */
import { createBrowserClient, identifyCall, pageCall, queuedEvents } from '@shopstream/sdk/browser';
import type { Tracker } from './tracking-plan.js';

/** Served by the demo server at /demo/config.json. */
export interface DemoConfig {
  readonly endpoint: string;
  readonly writeKey: string;
}

export interface SendCounts {
  readonly tracked: number;
  readonly queued: number;
}

export interface ConnectedSdk {
  readonly tracker: Tracker;
  readonly flush: () => Promise<void>;
  readonly counts: () => Promise<SendCounts>;
}

/** A demo wants to see events land quickly; the SDK's default is 3 s. */
const DEMO_FLUSH_INTERVAL_MS = 500;

export function connectSdk(config: DemoConfig): ConnectedSdk {
  let tracked = 0;
  const client = createBrowserClient({
    endpoint: config.endpoint,
    writeKey: config.writeKey,
    flushIntervalMs: DEMO_FLUSH_INTERVAL_MS,
    context: { app: { name: 'Leaf & Kettle storefront demo' } },
    onError: (error) => console.warn('[shopstream]', error.message),
  });
  const counted = (id: string | undefined) => {
    if (id !== undefined) tracked += 1;
  };
  return {
    tracker: {
      track: (type, properties) => counted(client.track(type, properties)),
      // No name argument: the type stays `Page Viewed` (the catalog's schema) and the name rides in properties.
      page: (name, properties) => counted(pageCall(client, undefined, { ...properties, name })),
      identify: (userId, traits) => counted(identifyCall(client, userId, traits)),
    },
    flush: () => client.flush(),
    counts: async () => ({ tracked, queued: await queuedEvents(client) }),
  };
}
