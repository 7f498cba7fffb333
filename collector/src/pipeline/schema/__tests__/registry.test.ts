import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSchemaRegistry } from '../registry.js';
import { defaultCatalogDir, loadSchemaFolder } from '../load-schema-folder.js';
import { createReloadableRegistry } from '../reloadable-registry.js';

const base = { id: '0190a0b0-0000-7000-8000-000000000001', timestamp: '2026-11-23T10:00:00.000Z' };
const order = { ...base, type: 'Order Completed', properties: { order_id: 'o-1', total: 42.5, currency: 'EUR', products: [{ product_id: 'p1', price: 10, quantity: 2 }] } };
const catalog = await loadSchemaFolder(defaultCatalogDir());

describe('schema registry over the shared catalog', () => {
  const registry = buildSchemaRegistry(catalog);

  it('accepts a valid event and returns the version used and its PII rules', () => {
    const check = registry.check(order);
    expect(check).toMatchObject({ status: 'valid', schema: { name: 'Order Completed', version: '1.1.0' } });
    expect(check.status === 'valid' && check.piiRules.map((rule) => rule.path.join('.'))).toContain('properties.email');
  });

  it('rejects a violation with ajv text naming the field', () => {
    const check = registry.check({ ...order, properties: { ...order.properties, total: 'lots', currency: 'euro' } });
    expect(check).toMatchObject({ status: 'invalid', code: 'COLLECTOR_SCHEMA_INVALID' });
    expect(check.status === 'invalid' && check.reason).toBe(
      'does not match schema "Order Completed"@1.1.0: event/properties/total must be number; event/properties/currency must match pattern "^[A-Z]{3}$"',
    );
  });

  it("requires no property (as Segment's spec) but checks types and formats", () => {
    expect(registry.check({ ...base, type: 'Products Searched', properties: {} })).toMatchObject({ status: 'valid' });
    const check = registry.check({ ...base, type: 'Identify', kind: 'identify', traits: { email: 'not-an-email' }, timestamp: 'yesterday' });
    expect(check.status === 'invalid' && check.reason).toBe('does not match schema "Identify"@1.0.0: event/timestamp must match format "date-time"; event/traits/email must match format "email"');
  });

  it('picks versions by the semver rule', () => {
    expect(registry.check({ ...order, schema: { name: 'Order Completed', version: '1.0.0' } })).toMatchObject({ schema: { version: '1.0.0' } });
    expect(registry.check({ ...order, schema: { name: 'Order Completed', version: '1.0.1' } })).toMatchObject({ schema: { version: '1.1.0' } });
    expect(registry.check({ ...order, schema: { name: 'Order Completed', version: '1.4.0' } })).toMatchObject({ schema: { version: '1.1.0' } });
    const unknown = registry.check({ ...order, schema: { name: 'Order Completed', version: '2.0.0' } });
    expect(unknown).toMatchObject({ status: 'invalid', code: 'COLLECTOR_SCHEMA_UNKNOWN_VERSION' });
    expect(unknown.status === 'invalid' && unknown.reason).toBe('event "Order Completed" names schema version 2.0.0, but only 1.0.0, 1.1.0 are registered');
  });

  it('passes unknown names as custom events, refuses them when strict', () => {
    expect(registry.check({ ...base, type: 'Wishlist Shared' })).toEqual({ status: 'valid', piiRules: [] });
    const strict = buildSchemaRegistry(catalog, { strict: true });
    expect(strict.check({ ...base, type: 'Wishlist Shared' })).toMatchObject({ status: 'invalid', code: 'COLLECTOR_SCHEMA_UNKNOWN_EVENT' });
  });

  it('refuses non-objects and events without a type', () => {
    expect(registry.check(42)).toMatchObject({ status: 'invalid', reason: 'event is not a JSON object' });
    expect(registry.check({ id: 'x' })).toMatchObject({ status: 'invalid', reason: 'event has no string "type" to pick a schema by' });
  });

  it('fails loudly on a schema without an x-event annotation or one that does not compile', () => {
    expect(() => buildSchemaRegistry([{ origin: 'a.json', schema: { type: 'object' } }])).toThrow(/a.json lacks a valid "x-event"/);
    expect(() => buildSchemaRegistry([{ origin: 'b.json', schema: { 'x-event': { name: 'B', version: '1.0.0' }, type: 'nonsense' } }])).toThrow(/b.json does not compile/);
  });
});

describe('reloadable registry', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const wishlist = (required: string[]) => ({
    'x-event': { name: 'Wishlist Shared', version: '1.0.0' },
    type: 'object',
    properties: { properties: { type: 'object', required } },
    required: ['properties'],
  });

  it('picks up custom schemas on reload and keeps the old set when the new one is broken', async () => {
    dir = await mkdtemp(join(tmpdir(), 'schemas-'));
    await writeFile(join(dir, 'wishlist-shared@1.0.0.json'), JSON.stringify(wishlist([])));
    const registry = await createReloadableRegistry({ catalogDir: defaultCatalogDir(), customDir: dir });
    const event = { ...base, type: 'Wishlist Shared', properties: {} };
    expect(registry.current.check(event)).toMatchObject({ status: 'valid', schema: { version: '1.0.0' } });

    await writeFile(join(dir, 'wishlist-shared@1.0.0.json'), JSON.stringify(wishlist(['wishlist_id'])));
    expect(await registry.reload()).toMatchObject({ status: 'success' });
    expect(registry.current.check(event)).toMatchObject({ status: 'invalid', reason: expect.stringContaining("must have required property 'wishlist_id'") });

    await writeFile(join(dir, 'broken.json'), '{ not json');
    const failed = await registry.reload();
    expect(failed.status).toBe('failure');
    expect(failed.status === 'failure' && failed.error.message).toMatch(/broken.json is not valid JSON/);
    expect(registry.current.check(event)).toMatchObject({ status: 'invalid' });
    registry.close();
  });

  it('reloads by itself when watching the folder', async () => {
    dir = await mkdtemp(join(tmpdir(), 'schemas-'));
    const reloaded: string[] = [];
    const registry = await createReloadableRegistry({
      catalogDir: defaultCatalogDir(),
      customDir: dir,
      watch: true,
      watchDebounceMs: 20,
      onReload: (outcome) => reloaded.push(outcome.status),
    });
    expect(registry.current.versions('Wishlist Shared')).toEqual([]);
    await writeFile(join(dir, 'wishlist-shared@1.0.0.json'), JSON.stringify(wishlist([])));
    await expect.poll(() => registry.current.versions('Wishlist Shared'), { timeout: 5000 }).toEqual(['1.0.0']);
    expect(reloaded).toContain('success');
    registry.close();
  });
});
