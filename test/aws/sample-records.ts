/**
 * Typical e-commerce events (~400 B of JSON each) as sink records, with WAL positions, for the
 * AWS sink tests and the kinesis-aggregation bench.
 */
import { randomBytes } from 'node:crypto';
import { uuidV7 } from '@shopstream/shared';
import type { SinkRecord } from '../../collector/src/sinks/sink.js';

const TYPES = ['Product Viewed', 'Product Added', 'Cart Viewed', 'Checkout Started', 'Order Completed'] as const;

export interface SampleOptions {
  readonly count: number;
  /** Epoch ms of the first record. Default 2026-11-23T09:00Z. */
  readonly startMs?: number;
  /** Receive-time step between records. Default 10 ms. */
  readonly stepMs?: number;
  /** Extra bytes of incompressible text per event (`properties.blob`), for large-object tests. */
  readonly blobBytes?: number;
  readonly source?: string;
  /** Distinct sessions (and users: every third session is signed in). */
  readonly sessions?: number;
  readonly firstLsn?: number;
}

export function sampleRecords(options: SampleOptions): SinkRecord[] {
  const startMs = options.startMs ?? Date.UTC(2026, 10, 23, 9, 0, 0);
  const sessions = options.sessions ?? 200;
  const source = options.source ?? 'web';
  let lsn = options.firstLsn ?? 0;
  return Array.from({ length: options.count }, (_, i) => {
    const type = TYPES[i % TYPES.length]!;
    const session = i % sessions;
    const userId = session % 3 === 0 ? `user-${session}` : undefined;
    const receivedAtMs = startMs + i * (options.stepMs ?? 10);
    const id = uuidV7();
    const envelope = {
      id,
      type,
      kind: 'track',
      source,
      anonymousId: `anon-${session}`,
      ...(userId === undefined ? {} : { userId }),
      sessionId: `sess-${session}`,
      timestamp: new Date(receivedAtMs - 150).toISOString(),
      receivedAt: new Date(receivedAtMs).toISOString(),
      context: { page: { url: `https://shop.example/p/${i % 997}` }, locale: 'de-DE' },
      properties: { product_id: String(i % 997), name: 'Grüner Tee', price: 4.5 + (i % 7), currency: 'EUR', quantity: 1 + (i % 3), ...(options.blobBytes ? { blob: randomBytes(options.blobBytes).toString('base64').slice(0, options.blobBytes) } : {}) },
      schema: { name: type, version: '1.0.0' },
    };
    const record: SinkRecord = { lsn, index: 0, zone: 'clean', source, eventType: type, eventId: id, sessionId: `sess-${session}`, userId, receivedAtMs, json: JSON.stringify(envelope) };
    lsn += 64 + record.json.length;
    return record;
  });
}
