import type { EventEnvelope } from '@shopstream/shared';
import { describe, expect, it } from 'vitest';
import { estimateEnvelopeBytes } from '../event-size.js';

const base: EventEnvelope = { id: '01890a5d-ac96-774b-bcce-b302099a8057', type: 'Product Viewed', timestamp: '2026-11-23T10:00:00.000Z' };

describe('event size estimate', () => {
  it('stays within 25% of the JSON length for typical events', () => {
    const events: EventEnvelope[] = [
      base,
      { ...base, userId: 'u-1', properties: { product_id: 'sku-1', name: 'Grüner Tee, lose, 100 g', price: 4.5, currency: 'EUR', quantity: 2 } },
      { ...base, properties: { products: Array.from({ length: 20 }, (_, i) => ({ product_id: `p${i}`, price: i * 1.25, tags: ['a', 'b'] })) } },
    ];
    for (const event of events) {
      const json = JSON.stringify(event).length;
      const estimate = estimateEnvelopeBytes(event);
      expect(Math.abs(estimate - json) / json).toBeLessThan(0.25);
    }
  });

  it('refuses circular values and BigInts with SDK_EVENT_INVALID and a readable message', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular['self'] = circular;
    expect(() => estimateEnvelopeBytes({ ...base, properties: circular })).toThrow(expect.objectContaining({ code: 'SDK_EVENT_INVALID', message: expect.stringContaining('circular reference?') }));
    expect(() => estimateEnvelopeBytes({ ...base, properties: { n: 10n } })).toThrow(expect.objectContaining({ code: 'SDK_EVENT_INVALID', message: expect.stringContaining('BigInt') }));
  });
});
