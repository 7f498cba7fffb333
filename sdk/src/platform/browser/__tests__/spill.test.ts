import { describe, expect, it } from 'vitest';
import type { StoredBatch } from '../../../storage/storage.js';
import type { KeyValue } from '../key-value.js';
import { readSpill, rewriteSpill, SPILL_KEY } from '../spill.js';

const memoryKeyValue = (): KeyValue & { map: Map<string, string> } => {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
};
const stored = (id: string): StoredBatch => ({ id, events: [{ id, type: 'Product Viewed', timestamp: '2026-11-23T00:00:00.000Z' }], bytes: 80 });

describe('spill of uncommitted events', () => {
  it('merges tabs by event id and removes the key once nothing is left', () => {
    const kv = memoryKeyValue();
    rewriteSpill(kv, new Set(['a', 'b']), [stored('a'), stored('b')]); // tab 1
    rewriteSpill(kv, new Set(['c']), [stored('c')]); // tab 2
    rewriteSpill(kv, new Set(['b']), [stored('b')]); // tab 1 again: b not twice
    expect(readSpill(kv).map((s) => s.id).sort()).toEqual(['a', 'b', 'c']);
    rewriteSpill(kv, new Set(['a', 'b', 'c']), []); // all committed after all
    expect(kv.map.has(SPILL_KEY)).toBe(false);
  });

  it('reads a damaged value as nothing to restore', () => {
    const kv = memoryKeyValue();
    kv.setItem(SPILL_KEY, '[{"id":');
    expect(readSpill(kv)).toEqual([]);
  });
});
