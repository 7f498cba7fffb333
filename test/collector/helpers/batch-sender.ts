/**
 * A minimal sender for collector tests: builds lz4/msgpack frames with `encodeFrame` and posts
 * them with retries until acknowledged, recording the ids of acknowledged events. (The SDK's
 * Node client does this for real; this stays small so a failure points at the collector.)
 */
import { encodeFrame, msgpackEncoding, uuidV7, type EventEnvelope } from '@shopstream/shared';
import { lz4Codec } from '@shopstream/shared/node';

export const WRITE_KEY = 'dev-key';

export function makeEvents(count: number, type = 'Product Viewed'): EventEnvelope[] {
  return Array.from({ length: count }, (_, i) => ({
    id: uuidV7(),
    type,
    kind: 'track',
    anonymousId: `anon-${i % 50}`,
    sessionId: `sess-${i % 20}`,
    timestamp: new Date().toISOString(),
    context: { page: { url: `https://shop.example/p/${i}` }, locale: 'de-DE', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) test' },
    properties: { product_id: String(1000 + i), name: 'Grüner Tee, lose, 100 g', price: 4.5, currency: 'EUR', category: 'Tea' },
  }));
}

export async function frameOf(events: readonly EventEnvelope[]): Promise<Uint8Array> {
  return encodeFrame(events, { codec: lz4Codec, encoding: msgpackEncoding });
}

export async function postFrame(url: string, frame: Uint8Array, writeKey = WRITE_KEY, timeoutMs = 10_000): Promise<Response> {
  return fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.shopstream.frame', authorization: `Bearer ${writeKey}` },
    // fetch's BodyInit (TS 5.9 DOM types) takes only ArrayBuffer-backed views: copy into one.
    body: new Uint8Array(frame),
    signal: AbortSignal.timeout(timeoutMs),
  });
}

/** Posts until a 200 (connection errors, 5xx and 429 are retried); returns the tries used. */
export async function sendUntilAcked(url: () => string, frame: Uint8Array, options: { triesMax?: number; backoffMs?: number } = {}): Promise<number> {
  const triesMax = options.triesMax ?? 200;
  for (let tries = 1; tries <= triesMax; tries++) {
    try {
      const res = await postFrame(url(), frame);
      await res.arrayBuffer();
      if (res.status === 200) return tries;
      if (res.status < 500 && res.status !== 429) throw new Error(`collector refused the batch with ${res.status}`);
    } catch (error) {
      if ((error as Error).message.startsWith('collector refused')) throw error;
    }
    await new Promise((r) => setTimeout(r, options.backoffMs ?? 50));
  }
  throw new Error(`batch not acknowledged after ${triesMax} tries`);
}
