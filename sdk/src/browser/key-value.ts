/**
 * First-party storage for the few small strings the SDK keeps outside IndexedDB (anonymous id,
 * session, user id, consent): `localStorage`, or a first-party cookie where localStorage throws
 * (storage disabled, some private modes). Synchronous because `track()` must stay synchronous.
 */
export interface KeyValue {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

/** Cookies live a year, the longest lifetime that browsers' cookie caps (Chromium: 400 days) leave intact. */
const COOKIE_MAX_AGE_S = 365 * 24 * 3600;

export function firstPartyKeyValue(): KeyValue {
  try {
    const probe = '__shopstream_probe';
    localStorage.setItem(probe, probe);
    localStorage.removeItem(probe);
    return {
      get: (key) => localStorage.getItem(key),
      set: (key, value) => localStorage.setItem(key, value),
      remove: (key) => localStorage.removeItem(key),
    };
  } catch {
    return cookieKeyValue();
  }
}

export function cookieKeyValue(): KeyValue {
  const write = (key: string, value: string, maxAgeS: number) => {
    document.cookie = `${encodeURIComponent(key)}=${encodeURIComponent(value)}; path=/; max-age=${maxAgeS}; SameSite=Lax`;
  };
  return {
    get: (key) => {
      const prefix = `${encodeURIComponent(key)}=`;
      const found = document.cookie.split('; ').find((part) => part.startsWith(prefix));
      return found === undefined ? null : decodeURIComponent(found.slice(prefix.length));
    },
    set: (key, value) => write(key, value, COOKIE_MAX_AGE_S),
    remove: (key) => write(key, '', 0),
  };
}
