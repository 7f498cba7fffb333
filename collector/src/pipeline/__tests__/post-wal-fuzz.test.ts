/**
 * Property: for any body the acknowledgement path accepts (a frame whose header and CRC check, or
 * JSON that parses to a batch), every item ends up exactly once in `clean` or in `failed` (or the
 * request as a whole in `failed` when its body cannot be decoded at all), every record is JSON,
 * and the sink's cursor reaches the end of the log. Items are drawn from hostile shapes: deep
 * nesting, BigInt, NaN, NUL-filled strings, `__proto__` keys, odd timestamps, Segment calls.
 *
 * Seeded: `FUZZ_SEED=<n> npx vitest run post-wal-fuzz` replays a failure; the seed is printed.
 */
import { checkFrame, encodeFrame, identityCodec, msgpackEncoding, type EventEnvelope } from '@shopstream/shared';
import { crc32cNative, lz4Codec } from '@shopstream/shared/node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastClock, MemoryCursors, MemoryDeadLetter, MemoryWal, quietLog, ScriptedSink } from '../../delivery/__tests__/memory-wal.js';
import { SinkLoop } from '../../delivery/sink-loop.js';
import { encodeIngestRecord, type ContentKind } from '../ingest-record.js';
import { createProcessor } from '../processor.js';
import { jsonBatchItems } from '../decode/decode-stage.js';
import { testChain } from './chain-helpers.js';
import { buildSchemaRegistry } from '../schema/registry.js';
import { defaultCatalogDir, loadSchemaFolder } from '../schema/load-schema-folder.js';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const registry = buildSchemaRegistry(await loadSchemaFolder(defaultCatalogDir()));
const limits = { decodedBytesMax: 1 << 20, eventsPerBatchMax: 50, eventValue: { depthMax: 32, eventBytesMax: 8192 } };

const deepArray = (depth: number): unknown => {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 2 ** 63),
  fc.integer({ min: 30, max: 3000 }).map(deepArray),
  fc.integer({ min: 1, max: 20_000 }).map((n) => '\u0000'.repeat(n)),
  fc.constantFrom('+275760-09-13T00:00:00.000Z', '2026-13-45T99:00:00Z', 'yesterday', null, 1_700_000_000_000),
);

const eventLike = fc.record(
  {
    id: fc.oneof(fc.uuid(), fc.string({ maxLength: 120 }), fc.integer()),
    type: fc.oneof(fc.constantFrom('Product Viewed', 'Order Completed', 'Cart Viewed', 'Custom Thing'), fc.string({ maxLength: 5 })),
    timestamp: fc.oneof(fc.constant('2026-12-05T10:00:00.000Z'), hostileValue),
    properties: fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constant('__proto__')), hostileValue, { maxKeys: 4 }),
  },
  { requiredKeys: ['id', 'type'] },
);
const segmentCall = fc.record({
  type: fc.constantFrom('track', 'page', 'identify'),
  event: fc.constantFrom('Product Viewed', 'Order Completed'),
  messageId: fc.string({ minLength: 1, maxLength: 40 }),
  timestamp: hostileValue,
  sentAt: fc.constantFrom(undefined, '2026-12-05T10:00:01.000Z', '+275760-09-13T00:00:00.000Z'),
  properties: fc.dictionary(fc.string({ maxLength: 8 }), hostileValue, { maxKeys: 3 }),
});
const item = fc.oneof({ weight: 5, arbitrary: eventLike }, { weight: 2, arbitrary: segmentCall }, { weight: 1, arbitrary: hostileValue });

/** A body as a client could send it, or undefined when the ack path would refuse it (never stored). */
const body = fc.oneof(
  fc.record({ kind: fc.constant<ContentKind>('frame'), items: fc.array(item, { minLength: 1, maxLength: 8 }), lz4: fc.boolean() }),
  fc.record({ kind: fc.constant<ContentKind>('json'), items: fc.array(item, { minLength: 1, maxLength: 8 }), segmentBatch: fc.boolean() }),
);

async function encodeBody(drawn: { kind: ContentKind; items: unknown[]; lz4?: boolean; segmentBatch?: boolean }): Promise<{ body: Uint8Array; count: number } | undefined> {
  if (drawn.kind === 'frame') {
    let bytes: Uint8Array;
    try {
      bytes = await encodeFrame(drawn.items as EventEnvelope[], { codec: drawn.lz4 ? lz4Codec : identityCodec, encoding: msgpackEncoding });
    } catch {
      return undefined; // the client could not have made it
    }
    const { eventCount } = checkFrame(bytes, undefined, crc32cNative); // what the ack path checks
    return eventCount <= limits.eventsPerBatchMax ? { body: bytes, count: eventCount } : undefined;
  }
  let text: string;
  try {
    text = JSON.stringify(drawn.segmentBatch ? { batch: drawn.items } : drawn.items, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value));
  } catch {
    return undefined; // JSON.stringify overflowed: no JSON client could send it either
  }
  const items = jsonBatchItems(JSON.parse(text));
  if (!items) return undefined; // the ack path answers 400
  const count = items.length;
  return { body: Buffer.from(text), count };
}

/** The counterexample can hold megabytes of NULs: report its shape, not its bytes (the seed replays it). */
function conciseReport<T>(details: fc.RunDetails<T>): void {
  if (!details.failed) return;
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`property failed after ${details.numRuns} runs (seed ${details.seed}, path ${details.counterexamplePath}): ${error.slice(0, 2000)}`);
}

describe('post-WAL path under hostile input (property)', () => {
  it('puts every accepted item exactly once in clean or failed and never stops the cursor', { timeout: 120_000 }, async () => {
    console.log(`post-WAL fuzz seed: ${seed} (replay with FUZZ_SEED=${seed})`);
    const processor = createProcessor(testChain({ ...limits, registry: () => registry, nodeId: 'fuzz' }));
    await fc.assert(
      fc.asyncProperty(fc.array(body, { minLength: 1, maxLength: 4 }), async (drawn) => {
        const wal = new MemoryWal();
        const expected = new Map<number, number>();
        for (const one of drawn) {
          const encoded = await encodeBody(one);
          if (!encoded) continue;
          const lsn = wal.append(encodeIngestRecord({ v: 1, source: 'web-shop', receivedAtMs: Date.parse('2026-12-05T10:00:02Z'), requestId: `r${wal.records.length}`, contentKind: one.kind, body: encoded.body }));
          expected.set(lsn, encoded.count);
        }
        if (expected.size === 0) return;
        const sink = new ScriptedSink({ recordsMax: 1000, bytesMax: 8 << 20, recordBytesMax: 1 << 20, lingerMs: 0 });
        const cursors = new MemoryCursors();
        const deadLetter = new MemoryDeadLetter();
        const loop = new SinkLoop({
          sink, wal, cursors, processor, accepts: (r) => r.zone === 'clean' || r.zone === 'failed', deadLetter,
          policy: { retriesMax: 2, backoffBaseMs: 1, backoffMaxMs: 2, breakerFailuresMax: 10, breakerOpenMs: 10, readRecordsMax: 64, writeTimeoutMs: 5000 },
          log: quietLog, clock: fastClock(),
        });
        loop.start();
        const deadline = Date.now() + 10_000;
        while (cursors.current.committed < wal.stats().endLsn) {
          if (Date.now() > deadline) throw new Error(`cursor stuck at ${cursors.current.committed} of ${wal.stats().endLsn}: ${JSON.stringify(loop.status().lastError)}`);
          await new Promise((r) => setTimeout(r, 1));
        }
        await loop.stop();
        expect(deadLetter.got).toEqual([]);
        const byLsn = new Map<number, { clean: number; failedItems: number; failedBatch: number }>();
        for (const record of sink.calls.flat()) {
          const parsed = JSON.parse(record.json) as { reason?: { stage?: string } };
          const tally = byLsn.get(record.lsn) ?? { clean: 0, failedItems: 0, failedBatch: 0 };
          if (record.zone === 'clean') tally.clean += 1;
          else if (record.eventType === 'batch') tally.failedBatch += 1;
          else tally.failedItems += 1;
          expect(parsed).toBeTypeOf('object');
          // An item is kept whole only within eventBytesMax (as decoded: escaping may grow it up to 6×,
          // `\u0000` for a NUL); past that it is a bounded sample, never itself.
          if (record.json.length > limits.eventValue.eventBytesMax * 6 + 16_384) throw new Error(`a ${record.zone} record of ${record.json.length} chars: ${record.json.slice(0, 300)}`);
          byLsn.set(record.lsn, tally);
        }
        for (const [lsn, count] of expected) {
          const tally = byLsn.get(lsn) ?? { clean: 0, failedItems: 0, failedBatch: 0 };
          if (tally.failedBatch > 0) expect(tally).toEqual({ clean: 0, failedItems: 0, failedBatch: 1 });
          else expect(tally.clean + tally.failedItems).toBe(count);
        }
      }),
      { seed, numRuns: 60, reporter: conciseReport },
    );
  });
});
