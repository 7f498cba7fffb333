// @shopstream/sdk/browser: everything is a named export of a side-effect-free module, so a
// bundler keeps only what the app calls (an app calling init + track ships no consent,
// encryption, e-commerce helpers or msgpack).
export { init, track, page, identify, flush, getClient, consent } from './default-client.js';
export { createBrowserClient, LIBRARY, type BrowserClient, type BrowserIo } from './browser-client.js';
export type { BrowserConfig } from './config.js';
export { grantConsent, revokeConsent } from './consent.js';
export { pageCall, identifyCall } from './calls.js';
export { queuedEvents } from './queued-events.js';
export { createIndexedDbQueue, type IndexedDbQueue, type IndexedDbQueueLimits } from '../../storage/indexeddb.js';
export { createFetchTransport } from '../../transport/fetch.js';
export { createBeaconTransport } from './beacon-transport.js';
export { createSealer, type SealerOptions, type Sealer } from '@shopstream/shared';
export { SdkError, isSdkError, type SdkErrorCode } from '../../errors.js';
