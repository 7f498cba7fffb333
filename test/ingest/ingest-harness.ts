/**
 * Shared pieces of the ingest e2e tests: frames, signed posts, and "the collector still serves:
 * a valid event sent right after lands in clean".
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { encodeFrame, msgpackEncoding, uuidV7, type EventEnvelope, type Sealer } from '@shopstream/shared';
import { lz4Codec } from '@shopstream/shared/node';
import { readLake, waitFor } from '../support/collector-process.js';

export const PII_CONFIG = { hashKey: randomBytes(32).toString('base64'), encryptKeyId: 'k1', encryptKey: randomBytes(32).toString('base64') };

export function cartViewed(extra: Partial<EventEnvelope> = {}): EventEnvelope {
  return { id: uuidV7(), type: 'Cart Viewed', kind: 'track', anonymousId: 'anon-1', timestamp: new Date().toISOString(), properties: { cart_id: 'c1', products: [{ product_id: 'p1', price: 3.5, quantity: 1 }] }, ...extra };
}

export function frame(events: readonly EventEnvelope[], sealer?: Sealer): Promise<Uint8Array> {
  return encodeFrame(events, { codec: lz4Codec, encoding: msgpackEncoding, ...(sealer ? { sealer } : {}) });
}

export async function post(url: string, body: Uint8Array | string, writeKey: string, headers: Record<string, string> = {}, path = '/v1/batch'): Promise<Response> {
  const isText = typeof body === 'string';
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': isText ? 'application/json' : 'application/vnd.shopstream.frame', authorization: `Bearer ${writeKey}`, ...headers },
    body: body as BodyInit,
    signal: AbortSignal.timeout(10_000),
  });
}

/** Asserts an HTTP refusal: status, stable code and the sentence. */
export async function expectRefused(res: Response, status: number, code: string, message: RegExp): Promise<void> {
  const body = (await res.json()) as { error?: { code: string; message: string } };
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
  expect(body.error?.message).toMatch(message);
}

export async function lakeIds(lakeDir: string, zone: 'raw' | 'clean' | 'failed'): Promise<string[]> {
  return (await readLake(lakeDir, zone)).map((r) => String(r.value.id ?? (r.value.item as { id?: string } | undefined)?.id ?? r.value.requestId));
}

export async function waitInLake(lakeDir: string, zone: 'raw' | 'clean' | 'failed', ids: readonly string[], what: string): Promise<void> {
  await waitFor(async () => {
    const found = new Set(await lakeIds(lakeDir, zone));
    return ids.every((id) => found.has(id));
  }, 20_000, what);
}

/** The collector still answers and a valid event sent right after lands in clean. */
export async function expectStillServes(url: string, lakeDir: string, writeKey: string, sign: (body: Uint8Array) => Record<string, string> = () => ({})): Promise<void> {
  const event = cartViewed();
  const body = await frame([event]);
  const res = await post(url, body, writeKey, sign(body));
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  await waitInLake(lakeDir, 'clean', [event.id], `the good event ${event.id} after a refusal`);
}

/** Failed-zone records with their reason, by event id. */
export async function failedById(lakeDir: string): Promise<Map<string, { code: string; message: string; stage: string }>> {
  const out = new Map<string, { code: string; message: string; stage: string }>();
  for (const { value } of await readLake(lakeDir, 'failed')) {
    const item = value.item as { id?: string } | undefined;
    out.set(String(item?.id ?? value.requestId), value.reason as { code: string; message: string; stage: string });
  }
  return out;
}
