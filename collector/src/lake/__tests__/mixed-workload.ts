/**
 * A seeded mixed lake workload at sink level: every catalog event type with values made from its
 * schema, Segment-shaped ids (not UUIDs), sources with dashes, an unknown event type, ill-typed
 * values (raw zone only, as validation keeps them out of clean), failed and audit records. The
 * lake tests and `npm run bench -- lake` share it.
 */
import type { LakeZone } from '@shopstream/shared';
import type { SinkRecord } from '../../sinks/sink.js';
import { seededRandom } from '../../__tests__/seeded-random.js';

export { seededRandom };

export interface WorkloadOptions {
  readonly seed: number;
  readonly events: number;
  /** Event types and their schema documents (every version). */
  readonly schemas: ReadonlyMap<string, Record<string, unknown>>;
  readonly startMs: number;
  /** Receive-time step between events, ms. */
  readonly stepMs: number;
  readonly sources?: readonly string[];
}

export interface Workload {
  readonly records: SinkRecord[];
  /** Clean events per event type. */
  readonly cleanByType: Map<string, number>;
  /** Sum of price * quantity over `Order Completed` products, by product_id. */
  readonly revenueByProduct: Map<string, number>;
  readonly rawCount: number;
  readonly failedCount: number;
  readonly auditCount: number;
}


const PRODUCTS = Array.from({ length: 40 }, (_, i) => `p-${i}`);

function valueFor(schema: Record<string, unknown> | undefined, name: string, random: () => number): unknown {
  if (!schema) return undefined;
  if (typeof schema.const === 'string') return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[Math.floor(random() * schema.enum.length)];
  switch (schema.type) {
    case 'string':
      if (schema.format === 'date-time') return new Date(Date.UTC(2026, 10, 1) + Math.floor(random() * 1e9)).toISOString();
      if (name === 'currency') return 'EUR';
      if (name === 'product_id') return PRODUCTS[Math.floor(random() * PRODUCTS.length)];
      if (schema.format === 'email') return `u${Math.floor(random() * 1000)}@shop.test`;
      return `${name}-${Math.floor(random() * 50)}`;
    case 'number':
      return Math.round(random() * 20000) / 100;
    case 'integer':
      return 1 + Math.floor(random() * 4);
    case 'boolean':
      return random() < 0.5;
    case 'array': {
      const items = schema.items as Record<string, unknown> | undefined;
      return Array.from({ length: 1 + Math.floor(random() * 3) }, () => valueFor(items, name, random));
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set((schema.required ?? []) as string[]);
      for (const [key, sub] of Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (sub['x-pii'] === 'drop' || (!required.has(key) && random() < 0.15)) continue;
        out[key] = valueFor(sub, key, random);
      }
      return out;
    }
    default:
      return undefined;
  }
}

/**
 * One event of `type` with values made from its catalog schema (none: a custom event):
 * SDK-shaped (UUID-like id) or, 30 % of the time, Segment-shaped (`ajs-…` id, `kind` set).
 */
export function catalogEvent(type: string, schema: Record<string, unknown> | undefined, random: () => number, i: number, atMs: number): Record<string, unknown> {
  const segmentShaped = random() < 0.3;
  const id = segmentShaped ? `ajs-next-${Math.floor(random() * 1e12).toString(36)}-${i}` : `0193${i.toString(16).padStart(12, '0')}-7000-8000-${Math.floor(random() * 1e12).toString(16).padStart(12, '0')}`;
  const fields = schema?.properties as Record<string, Record<string, unknown>> | undefined;
  const properties = (valueFor(fields?.properties, 'properties', random) ?? { paper: 'red', bows: 2 }) as Record<string, unknown>;
  const kind = ((schema?.['x-event'] as { kind?: string } | undefined)?.kind) ?? 'track';
  return {
    id, type, ...(segmentShaped ? { kind } : {}), anonymousId: `anon-${Math.floor(random() * 500)}`,
    ...(random() < 0.4 ? { userId: `user-${Math.floor(random() * 100)}` } : {}),
    timestamp: new Date(atMs - Math.floor(random() * 5000)).toISOString(),
    context: { library: { name: segmentShaped ? 'analytics-node' : '@shopstream/sdk', version: '1.0.0' }, page: { url: `https://shop.test/${i % 97}` } },
    ...(kind === 'identify' ? { traits: valueFor(fields?.traits, 'traits', random) } : { properties }),
  };
}

export function mixedWorkload(options: WorkloadOptions): Workload {
  const random = seededRandom(options.seed);
  const sources = options.sources ?? ['web-shop', 'pos_1', 'app-eu-2'];
  const types = [...options.schemas.keys(), 'Gift Wrapped'];
  const records: SinkRecord[] = [];
  const cleanByType = new Map<string, number>();
  const revenueByProduct = new Map<string, number>();
  let rawCount = 0;
  let failedCount = 0;
  let auditCount = 0;
  let lsn = 0;
  const push = (zone: LakeZone, source: string, eventType: string, receivedAtMs: number, index: number, value: unknown, requestId: string) => {
    records.push({ lsn, index, zone, source, eventType, receivedAtMs, requestId, json: JSON.stringify(value), ...(zone === 'clean' ? { eventId: (value as { id: string }).id } : {}) });
  };
  for (let i = 0; i < options.events; ) {
    const source = sources[Math.floor(random() * sources.length)]!;
    const receivedAtMs = options.startMs + i * options.stepMs;
    const receivedAt = new Date(receivedAtMs).toISOString();
    const requestId = `req-${options.seed}-${lsn}`;
    const batchSize = 1 + Math.floor(random() * 20);
    let index = 0;
    let accepted = 0;
    let rejected = 0;
    for (let b = 0; b < batchSize && i < options.events; b++, i++) {
      const type = types[Math.floor(random() * types.length)]!;
      const schema = options.schemas.get(type);
      const event = catalogEvent(type, schema, random, i, receivedAtMs);
      event.source = source;
      event.receivedAt = receivedAt;
      const properties = (event.properties ?? {}) as Record<string, unknown>;
      const invalid = random() < 0.03;
      if (invalid) {
        // An ill-typed value reaches raw as sent; validation refuses it, so it lands in failed, not clean.
        const bad = { ...event, timestamp: 'yesterday', properties: { ...properties, total: 'ten', price: 'free' } };
        push('raw', source, type, receivedAtMs, index++, bad, requestId);
        rawCount++;
        rejected++;
        continue;
      }
      push('raw', source, type, receivedAtMs, index++, event, requestId);
      rawCount++;
      accepted++;
      cleanByType.set(type, (cleanByType.get(type) ?? 0) + 1);
      if (type === 'Order Completed') {
        for (const product of (properties.products ?? []) as { product_id?: string; price?: number; quantity?: number }[]) {
          if (product?.product_id === undefined || product.price === undefined || product.quantity === undefined) continue;
          revenueByProduct.set(product.product_id, (revenueByProduct.get(product.product_id) ?? 0) + product.price * product.quantity);
        }
      }
    }
    // clean after raw within one WAL record, then failed, then audit, as the processor emits them.
    const cleanStart = records.length - index;
    for (const r of records.slice(cleanStart)) {
      const value = JSON.parse(r.json) as { timestamp: string };
      if (value.timestamp === 'yesterday') {
        push('failed', source, r.eventType, receivedAtMs, index++, { reason: { code: 'COLLECTOR_SCHEMA_INVALID', message: 'total must be number', stage: 'validate' }, requestId, source, receivedAt: new Date(receivedAtMs).toISOString(), item: value }, requestId);
        failedCount++;
      } else push('clean', source, r.eventType, receivedAtMs, index++, value, requestId);
    }
    push('audit', source, 'request', receivedAtMs, index++, { requestId, source, receivedAt: new Date(receivedAtMs).toISOString(), lsn, contentKind: 'frame', bytes: 1000, accepted, rejected, duplicates: 0 }, requestId);
    auditCount++;
    lsn += 4096;
  }
  return { records, cleanByType, revenueByProduct, rawCount, failedCount, auditCount };
}
