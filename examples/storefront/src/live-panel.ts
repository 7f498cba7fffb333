/**
 * The "events landing" panel: polls the demo server's lake tail and lists the newest events
 * with type, zone and time, marking ones not seen before. Polling stops while the tab is hidden.
 */
import { html } from './html.js';
import type { SendCounts } from './sdk-tracker.js';

export interface LandedEvent {
  readonly id: string;
  readonly type: string;
  readonly zone: string;
  readonly timestamp?: string;
  readonly receivedAt?: string;
  readonly source?: string;
}

export interface LiveFeed {
  readonly events: readonly LandedEvent[];
  readonly lakeDir: string;
  readonly totalLanded: number;
}

export const LIVE_POLL_INTERVAL_MS = 1000;
/** Rows shown; the server returns at most this many too. */
export const LIVE_ROWS_MAX = 30;

export function startLivePanel(root: HTMLElement, feedUrl: string, counts: () => Promise<SendCounts>, fetchFn: typeof fetch = fetch): void {
  const seen = new Set<string>();
  let first = true;
  root.innerHTML = html`
    <header><span class="dot"></span><h2>Live events</h2></header>
    <p class="stats"><span data-stat="tracked">0</span> tracked in this tab · <span data-stat="queued">0</span> waiting in its queue · <span data-stat="landed">0</span> in the lake</p>
    <ol class="feed" data-feed></ol>
    <p class="muted lake" data-lake></p>`.value;
  const feed = root.querySelector<HTMLElement>('[data-feed]')!;

  const render = (data: LiveFeed) => {
    root.querySelector('[data-stat="landed"]')!.textContent = String(data.totalLanded);
    root.querySelector('[data-lake]')!.textContent = `lake: ${data.lakeDir}`;
    feed.innerHTML = data.events
      .slice(0, LIVE_ROWS_MAX)
      .map((event) => {
        const fresh = !first && !seen.has(event.id);
        seen.add(event.id);
        const at = event.receivedAt ?? event.timestamp;
        return html`<li class="${fresh ? 'fresh' : ''}" data-event-type="${event.type}">
          <span class="type">${event.type}</span>
          <span class="zone zone-${event.zone}">${event.zone}</span>
          <time>${at ? new Date(at).toLocaleTimeString('en-GB', { hour12: false }) : ''}</time>
        </li>`.value;
      })
      .join('');
    first = false;
  };

  const poll = async () => {
    const sdk = await counts().catch(() => undefined);
    if (sdk) {
      root.querySelector('[data-stat="tracked"]')!.textContent = String(sdk.tracked);
      root.querySelector('[data-stat="queued"]')!.textContent = String(sdk.queued);
    }
    if (document.visibilityState === 'visible') {
      try {
        const response = await fetchFn(feedUrl, { cache: 'no-store' });
        if (response.ok) {
          render((await response.json()) as LiveFeed);
          root.classList.remove('offline');
        } else root.classList.add('offline');
      } catch {
        root.classList.add('offline'); // demo server stopped: keep the last rows, show the dot red
      }
    }
    setTimeout(poll, LIVE_POLL_INTERVAL_MS);
  };
  void poll();
}
