/**
 * First-party storage for the few small strings the SDK keeps outside IndexedDB (anonymous id,
 * session, user id, consent): `localStorage` itself, or a first-party cookie where localStorage
 * throws (storage disabled, some private modes). Synchronous because `track()` is.
 */
export type KeyValue = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Cookies live a year, within browsers' cookie lifetime caps (Chromium: 400 days). */
const COOKIE_MAX_AGE_S = 365 * 24 * 3600;

export function firstPartyKeyValue(): KeyValue {
  try {
    localStorage.setItem('shopstream.probe', '1');
    localStorage.removeItem('shopstream.probe');
    return localStorage;
  } catch {
    return cookieKeyValue();
  }
}

export function cookieKeyValue(): KeyValue {
  const write = (key: string, value: string, maxAgeS: number) => {
    document.cookie = `${key}=${encodeURIComponent(value)}; path=/; max-age=${maxAgeS}; SameSite=Lax`;
  };
  return {
    // `document.cookie` is `k=v; k=v`: read as a query string, whose parser undoes
    // encodeURIComponent and, unlike decodeURIComponent, never throws on another cookie's value.
    // Keys are the SDK's own `shopstream.*` names: cookie-safe as they are.
    getItem: (key) => new URLSearchParams(document.cookie.replaceAll('; ', '&')).get(key),
    setItem: (key, value) => write(key, value, COOKIE_MAX_AGE_S),
    removeItem: (key) => write(key, '', 0),
  };
}
