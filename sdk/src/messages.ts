import type { CallOptions, Properties } from './batch/envelope.js';

/**
 * Segment analytics-node message objects, accepted as-is so a Segment user can switch by
 * changing the import: `analytics.track({ event, userId, properties })`.
 */
export interface TrackMessage extends CallOptions {
  readonly event: string;
  readonly properties?: Properties;
}
export interface IdentifyMessage extends CallOptions {
  readonly traits?: Properties;
}
export interface PageMessage extends CallOptions {
  readonly name?: string;
  readonly properties?: Properties;
}
export interface GroupMessage extends CallOptions {
  readonly groupId: string;
  readonly traits?: Properties;
}
export interface AliasMessage extends CallOptions {
  readonly userId: string;
  readonly previousId: string;
}

export function isMessage<T extends object>(value: string | T | undefined): value is T {
  return typeof value === 'object' && value !== null;
}
