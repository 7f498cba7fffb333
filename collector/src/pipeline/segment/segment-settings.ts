/**
 * The settings `@segment/analytics-next` loads before anything else
 * (`GET <cdnURL>/v1/projects/<writeKey>/settings`), served by the collector so a page only changes
 * `cdnURL`. They announce the Segment.io destination alone, with `apiHost` pointing back at the
 * collector that answered (`<host>/v1`), so events go to its short routes (`/v1/t`, `/v1/p`, …);
 * no device-mode destination, middleware or remote plugin is loaded, and the library's own
 * metrics (`/m`) are off (`sampleRate: 0`).
 */

export interface SegmentSettingsOptions {
  readonly writeKey: string;
  /** `host[:port]` the page reached the collector on. */
  readonly host: string;
  readonly protocol: 'http' | 'https';
}

export function segmentSettings({ writeKey, host, protocol }: SegmentSettingsOptions): unknown {
  return {
    integrations: {
      'Segment.io': {
        apiKey: writeKey,
        apiHost: `${host}/v1`,
        protocol,
        unbundledIntegrations: [],
        addBundledMetadata: true,
        maybeBundledConfigIds: {},
      },
    },
    plan: { track: { __default: { enabled: true, integrations: {} } }, identify: { __default: { enabled: true } }, group: { __default: { enabled: true } } },
    edgeFunction: {},
    analyticsNextEnabled: true,
    middlewareSettings: {},
    enabledMiddleware: {},
    metrics: { sampleRate: 0 },
    legacyVideoPluginsEnabled: false,
    remotePlugins: [],
  };
}
