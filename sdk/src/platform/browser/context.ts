/**
 * Event context the browser knows: page (url, path, referrer, title, search), campaign (UTM
 * parameters, named as in Segment's spec), locale, screen and user agent. The context is
 * recomputed only when the URL changes (single-page apps), so `track()` stays cheap.
 */
export type BrowserContext = Record<string, unknown>;

const UTM_FIELDS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

export function createContextReader(library: { name: string; version: string }): () => BrowserContext {
  let lastHref = '';
  let current: BrowserContext = {};
  return () => {
    if (location.href !== lastHref) {
      lastHref = location.href;
      const query = new URLSearchParams(location.search);
      let campaign: Record<string, string> | undefined; // made at the first UTM parameter found
      for (const field of UTM_FIELDS) {
        const value = query.get(`utm_${field}`);
        if (value !== null) (campaign ??= {})[field === 'campaign' ? 'name' : field] = value;
      }
      current = {
        library,
        locale: navigator.language,
        userAgent: navigator.userAgent,
        screen: { width: screen.width, height: screen.height, density: devicePixelRatio },
        page: { url: location.href, path: location.pathname, search: location.search, referrer: document.referrer, title: document.title },
        campaign, // undefined (no UTM parameters): left out of the JSON
      };
    }
    return current;
  };
}
