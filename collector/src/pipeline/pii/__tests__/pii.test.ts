import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PiiRule } from '@shopstream/shared';
import { applyPii } from '../apply-pii.js';
import { createFieldCipher } from '../field-cipher.js';

const keys = { hashKey: randomBytes(32), encryptKey: { keyId: 'k2', key: randomBytes(32) } };
const cipher = createFieldCipher(keys);
const rules: PiiRule[] = [
  { path: ['traits', 'email'], action: 'hash' },
  { path: ['traits', 'address'], action: 'encrypt' },
  { path: ['traits', 'birthday'], action: 'drop' },
  { path: ['properties', 'products', '*', 'name'], action: 'hash' },
  { path: ['context', 'ip'], action: 'hash' },
];
const event = {
  id: 'e1',
  type: 'Identify',
  traits: { email: ' Ada@Example.com', address: { city: 'Berlin', street: 'Main 1' }, birthday: '1990-01-01', plan: 'pro' },
  properties: { products: [{ name: 'Hat', price: 3 }, { price: 4 }] },
};

describe('PII stage transforms', () => {
  it('hashes, encrypts and drops annotated fields and leaves the rest and the input alone', () => {
    const before = structuredClone(event);
    const out = applyPii(event, rules, cipher, event.id);
    expect(event).toEqual(before);
    expect(out.traits.email).toMatch(/^p1_[A-Za-z0-9_-]{43}$/);
    expect(out.traits.email).toBe(cipher.pseudonym('ada@example.com')); // normalised: joins still work
    expect(String(out.traits.address)).toMatch(/^e1\.k2\./);
    expect(cipher.decrypt(String(out.traits.address))).toEqual({ city: 'Berlin', street: 'Main 1' });
    expect('birthday' in out.traits).toBe(false);
    expect(out.traits.plan).toBe('pro');
    expect(out.properties.products[0]!.name).toBe(cipher.pseudonym('Hat'));
    expect(out.properties.products[1]).toBe(event.properties.products[1]); // untouched items stay shared
    expect(JSON.stringify(out)).not.toMatch(/Ada|Berlin|1990/);
  });

  it('keeps tokens it made as they are, so an event re-ingested from the lake is not scrubbed twice', () => {
    const once = applyPii(event, rules, cipher, 'e1');
    expect(applyPii(once, rules, cipher, 'e1')).toEqual(once);
    // A plain value shaped a little like a token is still scrubbed.
    const lookalike = applyPii({ ...event, traits: { email: 'p1_short', address: 'e1.k2.x.y' } }, rules, cipher, 'e1');
    expect(lookalike.traits.email).toBe(cipher.pseudonym('p1_short'));
    expect(cipher.decrypt(String(lookalike.traits.address))).toBe('e1.k2.x.y');
  });

  it('is deterministic (replays give identical bytes) but IVs differ per event and per value', () => {
    const a = applyPii(event, rules, cipher, 'e1');
    expect(JSON.stringify(applyPii(event, rules, cipher, 'e1'))).toBe(JSON.stringify(a));
    const other = applyPii(event, rules, cipher, 'e2');
    expect(String(other.traits.address).split('.')[2]).not.toBe(String(a.traits.address).split('.')[2]);
  });

  it('keeps decrypting values of a retired key after rotation, and refuses tampered tokens', () => {
    const rotated = createFieldCipher({ ...keys, encryptKey: { keyId: 'k3', key: randomBytes(32) }, decryptKeys: [keys.encryptKey] });
    const old = cipher.encrypt({ street: 'x' }, 'ctx');
    expect(rotated.decrypt(old)).toEqual({ street: 'x' });
    expect(rotated.encrypt('y', 'ctx')).toMatch(/^e1\.k3\./);
    const tampered = `${old.slice(0, -2)}${old.endsWith('A') ? 'B' : 'A'}A`;
    expect(() => rotated.decrypt(tampered)).toThrow();
  });

  it('refuses weak key material', () => {
    expect(() => createFieldCipher({ ...keys, hashKey: randomBytes(8) })).toThrow(/at least 32 bytes/);
    expect(() => createFieldCipher({ ...keys, encryptKey: { keyId: 'k', key: randomBytes(16) } })).toThrow(/must be 32 bytes/);
  });
});
