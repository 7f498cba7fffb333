/**
 * The source configuration `@rudderstack/analytics-js` (v3) loads at `load()`
 * (`GET <configUrl>/sourceConfig/?p=…&v=…&writeKey=…`, write key also as Basic auth), served by
 * the collector so a page sets `configUrl` to the same URL as `dataPlaneUrl`. It names the source
 * the write key belongs to, enabled, with no device-mode destinations (events go to the data
 * plane only) and the SDK's error and metrics reporting to RudderStack off. The SDK accepts it
 * when `source.id`, `source.config` and `source.destinations` are present.
 */

export interface RudderSourceConfigOptions {
  readonly sourceId: string;
  readonly writeKey: string;
}

export function rudderSourceConfig({ sourceId, writeKey }: RudderSourceConfigOptions): unknown {
  return {
    isHosted: false,
    source: {
      id: sourceId,
      name: sourceId,
      writeKey,
      enabled: true,
      workspaceId: 'shopstream',
      config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } },
      destinations: [],
    },
  };
}
