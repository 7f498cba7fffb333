import { createBrowserClient, type BrowserClient, type BrowserIo } from './browser-client.js';
import type { BrowserConfig } from './config.js';
import { identifyCall, pageCall } from './calls.js';
import { grantConsent, revokeConsent } from './consent.js';

/**
 * The page's one client behind the plain functions (`init`, `track`, ...) most sites use. Calls
 * before `init` do nothing and return undefined: the site works without analytics.
 */
let current: BrowserClient | undefined;

export function init(config: BrowserConfig, io?: BrowserIo): BrowserClient {
  current?.close();
  current = createBrowserClient(config, io);
  return current;
}

export const track = (type: string, properties?: Record<string, unknown>): string | undefined => current?.track(type, properties);
export const page = (name?: string, properties?: Record<string, unknown>): string | undefined => (current ? pageCall(current, name, properties) : undefined);
export const identify = (userId: string, traits?: Record<string, unknown>): string | undefined => (current ? identifyCall(current, userId, traits) : undefined);
export const flush = (): Promise<void> => current?.flush() ?? Promise.resolve();
export const getClient = (): BrowserClient | undefined => current;

/** `consent.grant()` / `consent.revoke()` for the page's client. */
export const consent = {
  grant: (): void => {
    if (current) grantConsent(current);
  },
  revoke: (): Promise<void> => (current ? revokeConsent(current) : Promise.resolve()),
};
