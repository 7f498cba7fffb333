/**
 * `@segment/analytics-next` posts each call to `<apiHost>/<first letter of the call>`: with the
 * collector's settings (./segment-settings.ts) that is `/v1/t`, `/v1/p`, `/v1/i`, `/v1/g`,
 * `/v1/a`, `/v1/s`; the batching delivery strategy posts `{batch, writeKey, sentAt}` to `/v1/b`.
 * Bodies are `text/plain` JSON (also when sent with `keepalive` as the page unloads) with the
 * write key both as Basic auth and in the body.
 */
import type { EventKind } from '@shopstream/shared';

export const SEGMENT_SHORT_CALLS: Readonly<Record<string, EventKind>> = {
  '/v1/t': 'track',
  '/v1/p': 'page',
  '/v1/i': 'identify',
  '/v1/g': 'group',
  '/v1/a': 'alias',
  '/v1/s': 'screen',
};

export const SEGMENT_BATCH_SHORT_PATH = '/v1/b';
