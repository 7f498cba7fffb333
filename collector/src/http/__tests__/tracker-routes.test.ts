import { describe, expect, it } from 'vitest';
import { trackerRouteOf } from '../tracker-routes.js';
import { segmentSettings } from '../../pipeline/segment/segment-settings.js';
import { rudderSourceConfig } from '../../pipeline/rudderstack/source-config.js';

describe('tracker routes', () => {
  it('give every path a fixed metric label, never the write key in it', () => {
    expect(trackerRouteOf('/v1/projects/key-123456/settings')).toEqual({ kind: 'segment-settings', label: '/v1/projects/:writeKey/settings', writeKey: 'key-123456' });
    expect(trackerRouteOf('/v1/projects/a%20b%20c%20d/settings')).toMatchObject({ writeKey: 'a b c d' });
    expect(trackerRouteOf('/v1/projects/%E0%A4%A/settings')).toBeUndefined(); // a broken %-escape names no key
    expect(trackerRouteOf('/v1/t')).toMatchObject({ kind: 'ingest', label: '/v1/t', method: 'POST' });
    expect(trackerRouteOf('/i')).toMatchObject({ kind: 'ingest', label: '/i', method: 'GET' });
    expect(trackerRouteOf('/beacon/v1/batch')).toMatchObject({ kind: 'ingest', label: '/beacon/v1/batch' });
    expect(trackerRouteOf('/sourceConfig')).toMatchObject({ kind: 'rudder-source-config' });
    expect(trackerRouteOf('/v1/batch')).toBeUndefined(); // the server's own route
    expect(trackerRouteOf('/v1/x')).toBeUndefined();
  });

  it('answer analytics-next settings naming only Segment.io, pointed back at the collector', () => {
    const settings = segmentSettings({ writeKey: 'key-123456', host: 'collect.shop.example', protocol: 'https' }) as { integrations: Record<string, Record<string, unknown>>; metrics: unknown };
    expect(Object.keys(settings.integrations)).toEqual(['Segment.io']);
    expect(settings.integrations['Segment.io']).toMatchObject({ apiKey: 'key-123456', apiHost: 'collect.shop.example/v1', protocol: 'https' });
    expect(settings.metrics).toEqual({ sampleRate: 0 });
  });

  it('answer a RudderStack source config the SDK accepts (id, config, destinations)', () => {
    expect(rudderSourceConfig({ sourceId: 'web', writeKey: 'key-123456' })).toMatchObject({ source: { id: 'web', enabled: true, config: {}, destinations: [] } });
  });
});
