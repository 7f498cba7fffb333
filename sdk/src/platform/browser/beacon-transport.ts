import { SdkError } from '../../errors.js';
import { KEEPALIVE_BODY_BYTES_MAX, textPlainBody } from '../../transport/keepalive-body.js';
import type { Transport } from '../../transport/transport.js';

export interface BeaconTransportOptions {
  /** Full URL with the write key in the query: a beacon cannot carry headers. */
  readonly url: string;
  readonly sendBeacon?: (url: string, data: Blob) => boolean;
}

/**
 * The last word of a page that is going away (`pagehide`, tab hidden): `navigator.sendBeacon`
 * outlives the page where fetch may not. The body is a `text/plain` Blob: a non-safelisted type
 * makes Chromium refuse the beacon. `success` here means only "the browser took it": a beacon
 * made offline is taken and never sent, so callers must keep the events queued and resend them
 * on the next visit (the collector's dedupe drops the copy).
 */
export function createBeaconTransport(options: BeaconTransportOptions): Transport {
  return {
    // Async for the interface only: the beacon is made synchronously, within the caller's task.
    send: async (body) => {
      if (body.length > KEEPALIVE_BODY_BYTES_MAX) return { status: 'failure', error: new SdkError('SDK_EVENT_TOO_LARGE', 'beacon') };
      const taken = (options.sendBeacon ?? navigator.sendBeacon.bind(navigator))(options.url, textPlainBody(body));
      return taken ? { status: 'success' } : { status: 'retryable', error: new SdkError('SDK_NETWORK', 'beacon') };
    },
  };
}
