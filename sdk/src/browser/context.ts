/**
 * Event context the browser knows: page (url, path, referrer, title, search), campaign (UTM
 * parameters, named as in Segment's spec), locale, screen and user agent. The page part is
 * recomputed only when the URL changes (single-page apps), so `track()` stays cheap.
 */
export type BrowserContext = Record<string, unknown>;

const UTM_FIELDS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

export function createContextReader(library: { name: string; version: string }): () => BrowserContext {
  const fixed = {
    library,
    locale: navigator.language,
    userAgent: navigator.userAgent,
    screen: { width: screen.width, height: screen.height, density: devicePixelRatio },
  };
  let lastHref = '';
  let current: BrowserContext = fixed;
  return () => {
    if (location.href !== lastHref) {
      lastHref = location.href;
      current = { ...fixed, page: pageFields(), ...campaignFields() };
    }
    return current;
  };
}

function pageFields(): Record<string, string> {
  return { url: location.href, path: location.pathname, search: location.search, referrer: document.referrer, title: document.title };
}

function campaignFields(): { campaign?: Record<string, string> } {
  const query = new URLSearchParams(location.search);
  const campaign: Record<string, string> = {};
  for (const field of UTM_FIELDS) {
    const value = query.get(`utm_${field}`);
    if (value !== null) campaign[field === 'campaign' ? 'name' : field] = value;
  }
  return Object.keys(campaign).length > 0 ? { campaign } : {};
}
