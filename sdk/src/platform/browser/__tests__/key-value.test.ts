import { afterEach, describe, expect, it, vi } from 'vitest';
import { cookieKeyValue } from '../key-value.js';

/** A cookie jar behind `document.cookie`, as a browser keeps one: set by `k=v; attrs`, read as `k=v; k=v`. */
function stubCookies(initial: Record<string, string>): void {
  const jar = new Map(Object.entries(initial));
  vi.stubGlobal('document', {
    get cookie() {
      return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    },
    set cookie(text: string) {
      const [pair, ...attributes] = text.split('; ');
      const at = pair!.indexOf('=');
      if (attributes.includes('max-age=0')) jar.delete(pair!.slice(0, at));
      else jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    },
  });
}

afterEach(() => vi.unstubAllGlobals());

describe('cookie fallback of first-party storage', () => {
  it('round-trips values with separators, spaces, plus signs and non-ASCII text', () => {
    stubCookies({ other: 'a=b', broken: '%E0%A4%A' }); // another site cookie, not valid percent-encoding
    const kv = cookieKeyValue();
    const value = 'id-1|1763890000000 a+b; c=d & é';
    kv.setItem('shopstream.session', value);
    expect(kv.getItem('shopstream.session')).toBe(value);
    expect(kv.getItem('shopstream.userId')).toBeNull();
    kv.removeItem('shopstream.session');
    expect(kv.getItem('shopstream.session')).toBeNull();
  });
});
