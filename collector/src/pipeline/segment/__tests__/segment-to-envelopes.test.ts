import { describe, expect, it } from 'vitest';
import { correctedTimestamp, segmentToEnvelopes } from '../segment-to-envelopes.js';

const receivedAt = '2026-11-23T10:00:10.000Z';

describe('Segment messages → envelopes', () => {
  it('maps a batch: messageId as id, call types to event names, batch context and integrations merged, skew corrected', () => {
    const body = {
      writeKey: 'wk',
      sentAt: '2026-11-23T10:00:05.000Z', // client clock 5 s behind receipt
      context: { library: { name: 'analytics-node' }, locale: 'de-DE' },
      integrations: { All: true },
      batch: [
        { type: 'track', event: 'Order Completed', messageId: 'node-abc-1', userId: 'u1', timestamp: '2026-11-23T10:00:04.000Z', properties: { order_id: 'o1' }, context: { locale: 'en-GB' } },
        { type: 'page', name: 'Home', category: 'Landing', messageId: 'm2', anonymousId: 'a1', properties: { url: 'https://shop/' } },
        { type: 'identify', messageId: 'm3', userId: 'u1', traits: { email: 'a@b.c' }, integrations: { Mixpanel: false } },
        { type: 'group', messageId: 'm4', userId: 'u1', groupId: 'g1', traits: { name: 'ACME' } },
        { type: 'alias', messageId: 'm5', userId: 'u1', previousId: 'a1' },
        { type: 'screen', messageId: 'm6', name: 'Cart' },
      ],
    };
    const [track, page, identify, group, alias, screen] = segmentToEnvelopes(body, receivedAt) as Record<string, unknown>[];
    expect(track).toEqual({
      id: 'node-abc-1',
      type: 'Order Completed',
      kind: 'track',
      userId: 'u1',
      timestamp: '2026-11-23T10:00:09.000Z',
      originalTimestamp: '2026-11-23T10:00:04.000Z',
      sentAt: '2026-11-23T10:00:05.000Z',
      context: { library: { name: 'analytics-node' }, locale: 'en-GB' },
      integrations: { All: true },
      properties: { order_id: 'o1' },
    });
    expect(page).toMatchObject({ id: 'm2', type: 'Page Viewed', kind: 'page', timestamp: receivedAt, properties: { url: 'https://shop/', name: 'Home', category: 'Landing' } });
    expect(identify).toMatchObject({ id: 'm3', type: 'Identify', kind: 'identify', traits: { email: 'a@b.c' }, integrations: { All: true, Mixpanel: false } });
    expect(group).toMatchObject({ id: 'm4', type: 'Group', groupId: 'g1', traits: { name: 'ACME' } });
    expect(alias).toMatchObject({ id: 'm5', type: 'Alias', previousId: 'a1' });
    expect(screen).toMatchObject({ id: 'm6', type: 'Screen Viewed', properties: { name: 'Cart' } });
    expect(track).not.toHaveProperty('writeKey');
  });

  it('takes a single message (/v1/track) and a bare array, and passes non-Segment items through', () => {
    expect(segmentToEnvelopes({ type: 'track', event: 'Cart Viewed', messageId: 'x' }, receivedAt)).toEqual([
      { id: 'x', type: 'Cart Viewed', kind: 'track', timestamp: receivedAt },
    ]);
    const own = { id: '0190a0b0-0000-7000-8000-000000000001', type: 'Cart Viewed', timestamp: receivedAt };
    expect(segmentToEnvelopes([own, 7], receivedAt)).toEqual([own, 7]);
  });

  it("takes RudderStack's originalTimestamp as the client time when there is no timestamp", () => {
    const [event] = segmentToEnvelopes({ sentAt: '2026-11-23T10:00:05.000Z', batch: [{ type: 'track', event: 'Cart Viewed', messageId: 'r1', originalTimestamp: '2026-11-23T10:00:04.000Z', channel: 'web' }] }, receivedAt) as Record<string, unknown>[];
    expect(event).toMatchObject({ id: 'r1', timestamp: '2026-11-23T10:00:09.000Z', originalTimestamp: '2026-11-23T10:00:04.000Z', channel: 'web' });
  });

  it('drops ids sent as null (analytics.js sends userId: null for an anonymous visitor)', () => {
    const [event] = segmentToEnvelopes([{ type: 'track', event: 'Cart Viewed', messageId: 'n1', userId: null, anonymousId: 'a1' }], receivedAt) as Record<string, unknown>[];
    expect(event).not.toHaveProperty('userId');
    expect(event).toMatchObject({ anonymousId: 'a1' });
  });

  it('falls back to the client timestamp when a date cannot be read', () => {
    expect(correctedTimestamp('yesterday', '2026-11-23T10:00:05.000Z', receivedAt)).toBe('yesterday');
    expect(correctedTimestamp('2026-11-23T10:00:00.000Z', undefined, receivedAt)).toBe('2026-11-23T10:00:00.000Z');
  });
});

describe('Segment single-call bodies', async () => {
  const { segmentCallBody, segmentCallOfPath } = await import('../segment-call-body.js');
  it('knows the call paths and wraps one message as a typed batch', () => {
    expect(segmentCallOfPath('/v1/track')).toBe('track');
    expect(segmentCallOfPath('/v1/batch')).toBeUndefined();
    const body = segmentCallBody(Buffer.from('{"event":"Cart Viewed","messageId":"m1","userId":"u"}'), 'track');
    expect(JSON.parse(body.toString())).toEqual({ batch: [{ event: 'Cart Viewed', messageId: 'm1', userId: 'u', type: 'track' }] });
  });
  it('refuses non-objects, bad JSON and messages over 32 KB with codes', () => {
    expect(() => segmentCallBody(Buffer.from('[1]'), 'page')).toThrow(expect.objectContaining({ code: 'COLLECTOR_NOT_A_BATCH', status: 400 }));
    expect(() => segmentCallBody(Buffer.from('{'), 'page')).toThrow(expect.objectContaining({ code: 'COLLECTOR_BAD_JSON' }));
    expect(() => segmentCallBody(Buffer.alloc(40_000, 32), 'identify')).toThrow(expect.objectContaining({ code: 'COLLECTOR_LIMIT_EVENT_BYTES', status: 413 }));
  });
});
