/**
 * Writes the cross-language test vectors under vectors/: one frame per codec × encoding, plus
 * the envelopes it must decode to. SDK and collector tests read these files, so both sides stay
 * byte-compatible. Run with `npx tsx scripts/make-vectors.ts` after a deliberate format change.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeFrame, identityCodec, jsonEncoding, msgpackEncoding, type EventEnvelope } from '../src/index.js';
import { gzipZlibCodec, lz4Codec } from '../src/node.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');
mkdirSync(out, { recursive: true });

export const vectorEnvelopes: EventEnvelope[] = [
  {
    id: '0190f5a8-3c3b-7cc1-8e2a-5b1d2f3a4b5c',
    type: 'Product Viewed',
    kind: 'track',
    anonymousId: 'anon-1',
    sessionId: 'sess-1',
    timestamp: '2026-11-23T09:00:00.000Z',
    sentAt: '2026-11-23T09:00:01.000Z',
    context: { page: { url: 'https://shop.example/p/42' }, locale: 'de-DE' },
    properties: { product_id: '42', name: 'Grüner Tee', price: 4.5, currency: 'EUR' },
    schema: { name: 'Product Viewed', version: '1.0.0' },
  },
  {
    id: '0190f5a8-3c3c-7cc1-8e2a-5b1d2f3a4b5d',
    type: 'Order Completed',
    kind: 'track',
    userId: 'user-7',
    timestamp: '2026-11-23T09:00:00.500Z',
    properties: { order_id: 'o-1', total: 9, currency: 'EUR', products: [{ product_id: '42', quantity: 2, price: 4.5 }] },
  },
];

const combos = [
  ['identity', identityCodec, 'msgpack', msgpackEncoding],
  ['lz4', lz4Codec, 'msgpack', msgpackEncoding],
  ['gzip', gzipZlibCodec, 'msgpack', msgpackEncoding],
  ['gzip', gzipZlibCodec, 'json', jsonEncoding],
  ['identity', identityCodec, 'json', jsonEncoding],
] as const;

writeFileSync(join(out, 'envelopes.json'), JSON.stringify(vectorEnvelopes, null, 2) + '\n');
for (const [codecName, codec, encodingName, encoding] of combos) {
  const frame = await encodeFrame(vectorEnvelopes, { codec, encoding });
  writeFileSync(join(out, `frame-${codecName}-${encodingName}.bin`), frame);
}
console.log(`wrote ${combos.length} frames to ${out}`);
