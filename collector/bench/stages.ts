/**
 * Cost per event of each post-WAL ingest stage, measured in one run on the same events:
 * decode (lz4 + msgpack frame), decrypt (sealed frame minus plain frame), validate (ajv over the
 * catalog), dedupe (memory window; Redis through a real redis-server when one is installed),
 * PII (hash + encrypt per annotated field), and the whole chain through the processor.
 *
 * Closing line: value = events/s through the full post-WAL chain as the collector builds it
 * (decode → event-guard → stamp → event-bytes → validate → dedupe (memory) → PII → emit), baseline = events/s of decode alone,
 * ratio = value / baseline.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import {
  CodecId,
  createOpener,
  createSealer,
  decodeFrame,
  encodeFrame,
  generateSealingKeyPair,
  jsonEncoding,
  msgpackEncoding,
  uuidV7,
  type EventEnvelope,
  type Opener,
} from '@shopstream/shared';
import { lz4Codec } from '@shopstream/shared/node';
import { encodeIngestRecord } from '../src/pipeline/ingest-record.js';
import { createProcessor, type Stage } from '../src/pipeline/processor.js';
import { buildChain, type ChainOptions } from '../src/pipeline/chain/build-chain.js';
import { EVENT_VALUE_LIMITS_DEFAULT } from '../src/pipeline/limits/event-guard-stage.js';
import { buildSchemaRegistry } from '../src/pipeline/schema/registry.js';
import { defaultCatalogDir, loadSchemaFolder } from '../src/pipeline/schema/load-schema-folder.js';
import { createMemoryDeduper } from '../src/pipeline/dedupe/memory.js';
import { createRedisDeduper } from '../src/pipeline/dedupe/redis.js';
import { ownerToken, type Deduper } from '../src/pipeline/dedupe/deduper.js';
import { createFieldCipher } from '../src/pipeline/pii/field-cipher.js';
import { applyPii } from '../src/pipeline/pii/apply-pii.js';
import { BASE_PII_RULES } from '../src/pipeline/pii/pii-stage.js';
import { startRedisServer } from '../../test/support/redis-server.js';

const EVENTS_PER_BATCH = 100;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 200);
const ROUNDS = 3;
const TOTAL = EVENTS_PER_BATCH * BATCHES;

function makeBatch(): EventEnvelope[] {
  const types = ['Product Viewed', 'Product Added', 'Cart Viewed', 'Checkout Started', 'Order Completed'];
  return Array.from({ length: EVENTS_PER_BATCH }, (_, i) => {
    const type = types[i % types.length]!;
    const properties: Record<string, unknown> =
      type === 'Order Completed'
        ? { order_id: `o-${i}`, total: 42.5, currency: 'EUR', email: 'ada@example.com', products: [{ product_id: `sku-${i}`, price: 42.5, quantity: 1 }] }
        : { product_id: `sku-${1000 + i}`, name: 'Green tea 100 g', price: 4.5 + (i % 10), currency: 'EUR', quantity: 1 + (i % 3) };
    return {
      id: uuidV7(), type, kind: 'track', anonymousId: `anon-${(i * 7919) % 5000}`, sessionId: `sess-${i % 40}`,
      timestamp: new Date(Date.now() - i * 250).toISOString(),
      context: { ip: '203.0.113.9', page: { url: `https://shop.example/products/${1000 + i}` }, locale: 'de-DE', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0' },
      properties,
    };
  });
}

/** Best of `ROUNDS` runs, in seconds. */
async function best(run: () => Promise<void> | void): Promise<number> {
  let bestSec = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    await run();
    bestSec = Math.min(bestSec, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return bestSec;
}

const usPerEvent = (sec: number) => (sec * 1e6) / TOTAL;
const fmt = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const batches = Array.from({ length: BATCHES }, makeBatch);
  const pair = await generateSealingKeyPair(1);
  const sealer = createSealer({ keyId: 1, publicKeyJwk: pair.publicKeyJwk });
  const opener: Opener = createOpener({ keys: [{ keyId: 1, privateKeyJwk: pair.privateKeyJwk }] });
  const frames = await Promise.all(batches.map((b) => encodeFrame(b, { codec: lz4Codec, encoding: msgpackEncoding })));
  const sealedFrames = await Promise.all(batches.map((b) => encodeFrame(b, { codec: lz4Codec, encoding: msgpackEncoding, sealer })));
  const decodeOptions = { codecs: { [CodecId.lz4]: lz4Codec }, encodings: { 0: msgpackEncoding, 1: jsonEncoding }, maxDecodedBytes: 8 << 20 };
  const registry = buildSchemaRegistry(await loadSchemaFolder(defaultCatalogDir()));
  const cipher = createFieldCipher({ hashKey: randomBytes(32), encryptKey: { keyId: 'k1', key: randomBytes(32) } });
  const flat = batches.flat();

  const decodeSec = await best(async () => {
    for (const f of frames) await decodeFrame(f, decodeOptions);
  });
  const sealedSec = await best(async () => {
    for (const f of sealedFrames) await decodeFrame(f, { ...decodeOptions, opener });
  });
  const validateSec = await best(() => {
    for (const e of flat) registry.check(e);
  });
  const piiRules = new Map(flat.map((e) => {
    const check = registry.check(e);
    return [e, [...BASE_PII_RULES, ...check.piiRules]];
  }));
  const piiSec = await best(() => {
    for (const e of flat) applyPii(e, piiRules.get(e)!, cipher, e.id);
  });
  const dedupeSec = async (makeDeduper: () => Deduper) => {
    let lsn = 0;
    return best(async () => {
      const deduper = makeDeduper();
      for (const batch of batches) {
        lsn += 1000;
        await deduper.firstSeen(batch.map((e) => e.id), batch.map((_, i) => ownerToken('bench', lsn, i)), Date.now());
      }
      await deduper.close?.();
    });
  };
  const memorySec = await dedupeSec(() => createMemoryDeduper());

  let redisSec: number | undefined;
  const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
  if (hasRedis) {
    const redis = await startRedisServer();
    try {
      let round = 0;
      redisSec = await dedupeSec(() => createRedisDeduper({ url: redis.url, keyPrefix: `bench-${round++}:` }));
    } finally {
      await redis.kill();
    }
  }

  const records = frames.map((body, i) => encodeIngestRecord({ v: 1, source: 'web', receivedAtMs: Date.now(), requestId: `r${i}`, contentKind: 'frame', body }));
  // Each stage of the real chain timed where it runs (the sum is the chain minus emit).
  const stageSec = new Map<string, number>();
  const timed = (stages: Stage[]): Stage[] =>
    stages.map((stage) => ({
      name: stage.name,
      async run(batch) {
        const start = process.hrtime.bigint();
        const outcome = await stage.run(batch);
        stageSec.set(stage.name, (stageSec.get(stage.name) ?? 0) + Number(process.hrtime.bigint() - start) / 1e9);
        return outcome;
      },
    }));
  const chainOptions = (extra: Partial<ChainOptions> = {}): ChainOptions => ({ purpose: 'deliver', decodedBytesMax: 8 << 20, eventsPerBatchMax: 10_000, eventValue: EVENT_VALUE_LIMITS_DEFAULT, nodeId: 'bench', ...extra });
  const runAll = async (stages: Stage[]) => {
    const processor = createProcessor(stages);
    let lsn = 0;
    for (const data of records) {
      await processor.process({ lsn, nextLsn: lsn + data.length + 12, data });
      lsn += data.length + 12;
    }
  };
  const fullSec = await best(() => runAll(buildChain(chainOptions({ registry: () => registry, deduper: createMemoryDeduper(), cipher }))));
  const coreSec = await best(() => runAll(buildChain(chainOptions())));
  stageSec.clear();
  await runAll(timed(buildChain(chainOptions({ registry: () => registry, deduper: createMemoryDeduper(), cipher }))));
  const stagesTotalSec = [...stageSec.values()].reduce((a, b) => a + b, 0);

  const lines: [string, number][] = [
    ['decode (lz4 + msgpack)', usPerEvent(decodeSec)],
    ['decrypt (sealed − plain decode)', usPerEvent(sealedSec - decodeSec)],
    ['validate (ajv, catalog)', usPerEvent(validateSec)],
    ['dedupe, memory', usPerEvent(memorySec)],
    ...(redisSec === undefined ? [] : ([['dedupe, Redis (Lua, pipelined per batch)', usPerEvent(redisSec)]] as [string, number][])),
    ['PII (hash/encrypt per annotated field)', usPerEvent(piiSec)],
    ['core chain: decode → stamp → emit', usPerEvent(coreSec)],
    ['full chain: + event-bytes, validate, dedupe (memory), PII', usPerEvent(fullSec)],
    ...[...stageSec].map(([name, sec]): [string, number] => [`  stage ${name} (inside the full chain, one run)`, usPerEvent(sec)]),
    ['  emit and the rest (one run)', Math.max(0, usPerEvent(fullSec) - usPerEvent(stagesTotalSec))],
  ];
  console.log(`${TOTAL} events (${BATCHES} batches of ${EVENTS_PER_BATCH}), best of ${ROUNDS}:`);
  for (const [name, us] of lines) console.log(`  ${name.padEnd(58)} ${fmt(us).toFixed(2).padStart(7)} µs/event  ${Math.round(1e6 / us).toLocaleString('en-US').padStart(10)} events/s`);
  if (!hasRedis) console.log('  (redis-server not installed: Redis dedupe not measured)');
  const value = Math.round(TOTAL / fullSec);
  const baseline = Math.round(TOTAL / decodeSec);
  console.log(JSON.stringify({ bench: 'stages', value, unit: 'events/s', baseline, ratio: fmt(value / baseline) }));
}

await main();
