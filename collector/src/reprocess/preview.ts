/**
 * `--dry-run`: the current chain up to validation (`preview`, ../pipeline/chain/build-chain.ts),
 * run offline over the batches a real run would send, with the config's schemas (catalog and
 * `ingest.schemas.customDir`) as they are now. Counts what would pass and what would fail, by code.
 */
import { resolve } from 'node:path';
import type { CollectorConfig } from '../config/config.js';
import { buildChain } from '../pipeline/chain/build-chain.js';
import { encodeIngestRecord } from '../pipeline/ingest-record.js';
import { createProcessor } from '../pipeline/processor.js';
import { defaultCatalogDir } from '../pipeline/schema/load-schema-folder.js';
import { createReloadableRegistry } from '../pipeline/schema/reloadable-registry.js';
import type { BatchOutcome, EventBatch } from './resend.js';

export interface Previewer {
  check(batch: EventBatch): Promise<BatchOutcome>;
  close(): void;
}

export async function createPreviewer(config: CollectorConfig): Promise<Previewer> {
  const { ingest, limits } = config;
  const registry = await createReloadableRegistry({
    catalogDir: defaultCatalogDir(),
    ...(ingest.schemas.customDir ? { customDir: resolve(ingest.schemas.customDir) } : {}),
    strict: ingest.schemas.strict,
    watch: false,
  });
  const processor = createProcessor(buildChain({
    purpose: 'preview',
    decodedBytesMax: limits.decodedBytesMax,
    eventsPerBatchMax: limits.eventsPerBatchMax,
    eventValue: { depthMax: limits.eventDepthMax, eventBytesMax: ingest.eventBytesMax },
    registry: () => registry.current,
    nodeId: 'reprocess-preview',
  }));
  let lsn = 0;
  return {
    async check(batch) {
      const at = lsn++;
      const data = encodeIngestRecord({ v: 1, source: batch.source, receivedAtMs: Date.now(), requestId: `preview-${at}`, contentKind: 'json', body: Buffer.from(batch.body) });
      const outcome = await processor.process({ lsn: at, nextLsn: at + 1, data });
      if (outcome.status === 'retry') throw new Error(`preview chain asked to retry at ${outcome.stage}: ${outcome.error.message}`);
      const failedByCode: Record<string, number> = {};
      let passed = 0;
      for (const record of outcome.records) {
        if (record.zone === 'clean') passed++;
        if (record.zone !== 'failed') continue;
        const code = (JSON.parse(record.json) as { reason?: { code?: string } }).reason?.code ?? 'unknown';
        failedByCode[code] = (failedByCode[code] ?? 0) + (record.eventType === 'batch' ? batch.count : 1);
      }
      return { passed, failedByCode };
    },
    close: () => registry.close(),
  };
}
