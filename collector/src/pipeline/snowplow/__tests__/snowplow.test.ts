import { describe, expect, it } from 'vitest';
import { fromIgluSchema, parseIgluUri, schemaVerToSemver } from '../iglu.js';
import { isSnowplowBody, snowplowPixelBody, snowplowPostAppId, snowplowPostBody } from '../snowplow-payload.js';
import { snowplowToEnvelopes } from '../snowplow-to-envelopes.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const RECEIVED = '2026-12-05T12:00:10.000Z';

describe('Iglu', () => {
  it('maps a URI onto a registry name and SchemaVer onto semver', () => {
    expect(parseIgluUri('iglu:com.acme/checkout_step/jsonschema/1-0-2')).toEqual({ vendor: 'com.acme', name: 'checkout_step', registryName: 'com.acme/checkout_step', version: '1.0.2' });
    expect(parseIgluUri('iglu:com.acme/checkout_step/avro/1-0-0')).toBeUndefined();
    expect(parseIgluUri('iglu:com.acme/x/jsonschema/1-0')).toBeUndefined();
    expect(schemaVerToSemver('2-1-10')).toBe('2.1.10');
  });

  it('wraps a self-describing schema so it checks the envelope properties; other documents pass unchanged', () => {
    const iglu = { $schema: 'http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#', self: { vendor: 'com.acme', name: 'step', format: 'jsonschema', version: '1-0-0' }, type: 'object', properties: { n: { type: 'integer' } } };
    expect(fromIgluSchema(iglu, 'x.json')).toMatchObject({ 'x-event': { name: 'com.acme/step', version: '1.0.0' }, properties: { properties: { type: 'object', properties: { n: { type: 'integer' } } } } });
    expect(JSON.stringify(fromIgluSchema(iglu, 'x.json'))).not.toContain('$schema');
    const plain = { 'x-event': { name: 'A', version: '1.0.0' } };
    expect(fromIgluSchema(plain, 'a.json')).toBe(plain);
    expect(() => fromIgluSchema({ self: { vendor: 'v', name: 'n', format: 'jsonschema', version: '1.0.0' } }, 'bad.json')).toThrow(/bad\.json/);
  });
});

describe('Snowplow payloads on the ack path', () => {
  it('stores tp2 (JSON or one form-encoded event) and pixel requests as {schema, batch} and finds the shared app id', () => {
    const post = Buffer.from(JSON.stringify({ schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4', data: [{ e: 'pv', eid: 'a', aid: 'dev-key' }, { e: 'pv', eid: 'b', aid: 'dev-key' }] }));
    const stored = JSON.parse(snowplowPostBody(post).toString());
    expect(isSnowplowBody(stored)).toBe(true);
    expect(stored.batch).toHaveLength(2);
    expect(snowplowPostAppId(post)).toBe('dev-key');
    const mixed = Buffer.from(JSON.stringify({ schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4', data: [{ aid: 'a' }, { aid: 'b' }] }));
    expect(() => snowplowPostAppId(mixed)).toThrow(expect.objectContaining({ code: 'COLLECTOR_SNOWPLOW_MIXED_APP_IDS', status: 400 }));
    expect(() => snowplowPostBody(Buffer.from('{"data": []}'))).toThrow(expect.objectContaining({ code: 'COLLECTOR_NOT_A_BATCH', status: 400 }));
    const form = Buffer.from('e=se&eid=f-1&aid=dev-key&se_ac=clicked');
    expect(JSON.parse(snowplowPostBody(form).toString()).batch).toEqual([{ e: 'se', eid: 'f-1', aid: 'dev-key', se_ac: 'clicked' }]);
    expect(snowplowPostAppId(form)).toBe('dev-key');
    expect(() => snowplowPostBody(Buffer.from('hello'))).toThrow(expect.objectContaining({ code: 'COLLECTOR_NOT_A_BATCH', status: 400 }));
    const pixel = JSON.parse(snowplowPixelBody(new URLSearchParams('e=pv&eid=c&aid=dev-key&writeKey=x')).toString());
    expect(pixel.batch).toEqual([{ e: 'pv', eid: 'c', aid: 'dev-key' }]);
  });
});

describe('Snowplow events → envelopes', () => {
  it('maps a page view with skew correction, ids, library and contexts', () => {
    const contexts = { schema: 'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0', data: [{ schema: 'iglu:com.acme/user/jsonschema/1-0-0', data: { tier: 'gold' } }] };
    const { items, refused } = snowplowToEnvelopes([{ e: 'pv', eid: 'e-1', aid: 'dev-key', tv: 'js-4.10.1', p: 'web', uid: 'u-1', duid: 'd-1', sid: 's-1', url: 'https://shop.example/cart?x=1', page: 'Cart', dtm: '1796472000000', stm: '1796472005000', res: '1920x1080', cx: b64(contexts), vid: '3' }], RECEIVED);
    expect(refused).toEqual([]);
    expect(items[0]).toEqual({
      id: 'e-1', type: 'Page Viewed', kind: 'page', userId: 'u-1', anonymousId: 'd-1', sessionId: 's-1',
      timestamp: '2026-12-05T12:00:05.000Z', originalTimestamp: new Date(1796472000000).toISOString(), sentAt: new Date(1796472005000).toISOString(),
      context: { library: { name: 'snowplow-js', version: '4.10.1' }, app: { id: 'dev-key', platform: 'web' }, screen: { width: 1920, height: 1080 }, contexts: contexts.data, snowplow: { vid: '3' } },
      properties: { url: 'https://shop.example/cart?x=1', path: '/cart', title: 'Cart' },
    });
  });

  it('maps a self-describing event onto its Iglu schema and refuses an undecodable one alone', () => {
    const ue = { schema: 'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0', data: { schema: 'iglu:com.acme/checkout_step/jsonschema/1-0-0', data: { step: 2 } } };
    const { items, refused } = snowplowToEnvelopes([{ e: 'ue', eid: 'e-2', ue_px: b64(ue), tv: 'node-4.8.0' }, { e: 'ue', eid: 'e-3', ue_px: '!!notbase64' }, { e: 'se', eid: 'e-4', se_ca: 'shop', se_ac: 'click', se_va: '2.5' }], RECEIVED);
    expect(items[0]).toMatchObject({ id: 'e-2', type: 'com.acme/checkout_step', kind: 'track', schema: { name: 'com.acme/checkout_step', version: '1.0.0' }, properties: { step: 2 }, timestamp: RECEIVED, context: { library: { name: 'snowplow-node', version: '4.8.0' } } });
    expect(items[1]).toMatchObject({ id: 'e-4', type: 'click', properties: { category: 'shop', action: 'click', value: 2.5 } });
    expect(refused).toEqual([expect.objectContaining({ code: 'COLLECTOR_SNOWPLOW_BAD_EVENT', item: expect.objectContaining({ eid: 'e-3' }) })]);
    const [transaction] = snowplowToEnvelopes([{ e: 'tr', eid: 'e-5', tr_id: 'o-1', tr_tt: '10.5', tna: 'sp' }], RECEIVED).items;
    expect(transaction).toMatchObject({ type: 'Transaction', properties: { id: 'o-1', tt: '10.5' }, context: { app: { namespace: 'sp' } } });
    expect(transaction).not.toHaveProperty('context.snowplow');
  });
});
