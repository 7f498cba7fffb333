import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectPiiRules, resolveSchemaVersion, schemaEventAnnotation, schemaFileName, parseSemver, type CatalogIndex } from '../../index.js';

const catalogDir = join(import.meta.dirname, '..', '..', '..', 'catalog');
const index = JSON.parse(readFileSync(join(catalogDir, 'index.json'), 'utf8')) as CatalogIndex;

describe('schema version resolution', () => {
  const registered = ['1.0.0', '1.1.0', '1.10.2', '2.0.0', 'not-semver'];
  it.each([
    [undefined, '2.0.0', 'latest when none is asked for'],
    ['1.1.0', '1.1.0', 'exact match'],
    ['1.0.5', '1.10.2', 'highest same-major ≥ requested'],
    ['1.11.0', '1.10.2', 'newer minor than known: highest of that major'],
    ['2.0.0', '2.0.0', 'exact major 2'],
    ['3.0.0', undefined, 'unknown major'],
    ['1.x', undefined, 'not a version'],
  ] as [string | undefined, string | undefined, string][])('%s → %s (%s)', (requested, expected) => {
    expect(resolveSchemaVersion(registered, requested)).toBe(expected);
  });

  it('compares numerically, not as text', () => {
    expect(resolveSchemaVersion(['1.9.0', '1.10.0'])).toBe('1.10.0');
    expect(parseSemver('01.0.0')).toBeUndefined();
  });
});

describe('the e-commerce catalog', () => {
  const required = [
    'Products Searched', 'Product List Viewed', 'Product Viewed', 'Product Added', 'Product Removed', 'Cart Viewed',
    'Checkout Started', 'Checkout Step Completed', 'Payment Info Entered', 'Order Completed', 'Order Refunded',
    'Order Cancelled', 'Coupon Applied', 'Promotion Viewed', 'Promotion Clicked', 'Page Viewed', 'Identify',
  ];

  it('lists every Segment e-commerce v2 event plus Page Viewed and Identify', () => {
    expect(new Set(index.schemas.map((entry) => entry.name))).toEqual(new Set(required));
  });

  it('has exactly one file per index entry, named <slug>@<version>.json, annotated with its name and version', () => {
    const files = readdirSync(catalogDir).filter((file) => file.endsWith('.json') && file !== 'index.json');
    expect(files.sort()).toEqual(index.schemas.map((entry) => entry.file).sort());
    for (const entry of index.schemas) {
      expect(entry.file).toBe(schemaFileName(entry.name, entry.version));
      const schema = JSON.parse(readFileSync(join(catalogDir, entry.file), 'utf8'));
      expect(schemaEventAnnotation(schema)).toEqual({ name: entry.name, kind: entry.kind, version: entry.version });
    }
  });

  it('annotates personal data for the PII stage', () => {
    const identify = JSON.parse(readFileSync(join(catalogDir, 'identify@1.0.0.json'), 'utf8'));
    const rules = Object.fromEntries(collectPiiRules(identify).map((rule) => [rule.path.join('.'), rule.action]));
    expect(rules).toMatchObject({
      'context.ip': 'hash',
      'context.traits.email': 'hash',
      'traits.email': 'hash',
      'traits.phone': 'hash',
      'traits.address': 'encrypt',
      'traits.birthday': 'drop',
    });
    expect(rules['traits.address.city']).toBeUndefined();
  });

  it('walks array items with a * segment', () => {
    const schema = { properties: { products: { items: { properties: { name: { 'x-pii': 'drop' } } } } } };
    expect(collectPiiRules(schema)).toEqual([{ path: ['products', '*', 'name'], action: 'drop' }]);
  });
});
