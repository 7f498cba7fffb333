// The real @segment/analytics-node library pointed at a collector: what it sends to /v1/batch
// (Basic auth with the write key, batch-level context, sentAt) lands with messageId as the id,
// calls mapped to event names and PII applied. Segment's single-call endpoints work too.
import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLake, startCollectorProcess, type CollectorProcess } from '../support/collector-process.js';
import { PII_CONFIG, expectRefused, waitInLake } from './ingest-harness.js';

let collector: CollectorProcess;
beforeAll(async () => {
  collector = await startCollectorProcess({ config: { sources: [{ id: 'segment', writeKey: 'segment-key-1' }], ingest: { pii: PII_CONFIG } } });
});
afterAll(async () => {
  await collector?.cleanup();
});

describe('Segment compatibility', () => {
  it('lands what @segment/analytics-node sends, with messageId as the event id', async () => {
    const analytics = new Analytics({ writeKey: 'segment-key-1', host: collector.url, flushAt: 20, flushInterval: 200, maxRetries: 2 });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));
    const ids: Record<string, string> = {};
    const remember = (name: string) => (error: unknown, ctx?: { event: { messageId?: string } }) => {
      if (error) errors.push(error);
      else ids[name] = ctx!.event.messageId!;
    };
    analytics.identify({ userId: 'u-1', traits: { email: 'Ada@Example.com', plan: 'pro' } }, remember('identify'));
    analytics.track({ userId: 'u-1', event: 'Order Completed', properties: { order_id: 'o-1', total: 42.5, currency: 'EUR', products: [{ product_id: 'p1', price: 42.5, quantity: 1 }] } }, remember('track'));
    analytics.page({ userId: 'u-1', name: 'Home', category: 'Landing', properties: { url: 'https://shop.example/' } }, remember('page'));
    analytics.group({ userId: 'u-1', groupId: 'g-1', traits: { name: 'ACME' } }, remember('group'));
    analytics.alias({ userId: 'u-1', previousId: 'anon-1' }, remember('alias'));
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);
    expect(Object.keys(ids).sort()).toEqual(['alias', 'group', 'identify', 'page', 'track']);

    await waitInLake(collector.lakeDir, 'clean', Object.values(ids), 'every Segment call in clean');
    const byId = new Map((await readLake(collector.lakeDir, 'clean')).map((r) => [r.value.id, r.value as Record<string, any>]));
    expect(byId.get(ids.track)).toMatchObject({ type: 'Order Completed', kind: 'track', source: 'segment', userId: 'u-1', properties: { order_id: 'o-1', total: 42.5 } });
    expect(byId.get(ids.track)!.context.library.name).toBe('@segment/analytics-node');
    expect(byId.get(ids.page)).toMatchObject({ type: 'Page Viewed', kind: 'page', properties: { name: 'Home', category: 'Landing', url: 'https://shop.example/' } });
    expect(byId.get(ids.identify)).toMatchObject({ type: 'Identify', kind: 'identify', traits: { plan: 'pro' } });
    expect(byId.get(ids.identify)!.traits.email).toMatch(/^p1_/);
    expect(byId.get(ids.group)).toMatchObject({ type: 'Group', groupId: 'g-1' });
    expect(byId.get(ids.alias)).toMatchObject({ type: 'Alias', previousId: 'anon-1' });
    // Skew correction: the corrected time lies at or before receipt, and the client's is kept.
    const track = byId.get(ids.track)!;
    expect(Date.parse(track.timestamp)).toBeLessThanOrEqual(Date.parse(track.receivedAt));
    expect(track.extra?.originalTimestamp ?? track.originalTimestamp).toEqual(expect.any(String)); // the lake keeps it under extra
  });

  it('takes single calls on /v1/track with Basic auth and writeKey in the body, and refuses an unknown key', async () => {
    const basic = `Basic ${Buffer.from('segment-key-1:').toString('base64')}`;
    const track = await fetch(`${collector.url}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic },
      body: JSON.stringify({ userId: 'u-2', event: 'Product Viewed', messageId: 'not-a-uuid-1', properties: { product_id: 'p9' }, timestamp: new Date().toISOString() }),
    });
    expect(track.status).toBe(200);
    const page = await fetch(`${collector.url}/v1/page`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ writeKey: 'segment-key-1', anonymousId: 'a-2', name: 'Cart', messageId: 'not-a-uuid-2' }) });
    expect(page.status).toBe(200);
    await expectRefused(await fetch(`${collector.url}/v1/identify`, { method: 'POST', body: JSON.stringify({ writeKey: 'wrong-key-1', userId: 'x', messageId: 'm' }) }), 401, 'COLLECTOR_AUTH_UNKNOWN_KEY', /not known/);
    await waitInLake(collector.lakeDir, 'clean', ['not-a-uuid-1', 'not-a-uuid-2'], 'the single calls');
    const clean = new Map((await readLake(collector.lakeDir, 'clean')).map((r) => [r.value.id, r.value]));
    expect(clean.get('not-a-uuid-1')).toMatchObject({ type: 'Product Viewed', kind: 'track' });
    expect(clean.get('not-a-uuid-2')).toMatchObject({ type: 'Page Viewed', kind: 'page', properties: { name: 'Cart' } });
    expect(clean.get('not-a-uuid-2')).not.toHaveProperty('writeKey');
  });
});
