/**
 * Puts the ingest stages into the core's post-WAL chain (./processor.ts):
 *
 *   decode (+ Segment JSON, + COLLECTOR_LIMIT_* names; sealed frames opened by the Opener)
 *   → stamp → event-bytes → validate → dedupe → pii → observe → emit
 *
 * Use as `startCollector(config, { stages: (defaults) => withIngestStages(defaults, options) })`.
 */
import type { Stage } from './processor.js';
import { createEventNotes } from './event-notes.js';
import { observeStage, type IngestObserver } from './ingest-observer.js';
import { eventBytesStage, EVENT_BYTES_MAX_DEFAULT } from './limits/event-bytes-stage.js';
import { withLimitCodes } from './limits/limit-codes-stage.js';
import { validateStage } from './schema/validate-stage.js';
import type { SchemaRegistry } from './schema/registry.js';
import { dedupeStage } from './dedupe/dedupe-stage.js';
import type { Deduper } from './dedupe/deduper.js';
import { piiStage } from './pii/pii-stage.js';
import type { FieldCipher } from './pii/field-cipher.js';
import { withSegmentJson } from './segment/segment-decode-stage.js';

export interface IngestChainOptions {
  /** Read per batch, so a schema reload applies from the next batch. */
  readonly registry: () => SchemaRegistry;
  /** Absent: no deduplication (benchmarks, or a sink that dedupes itself). */
  readonly deduper?: Deduper;
  readonly nodeId: string;
  /** Absent: annotated PII fields are dropped instead of hashed/encrypted. */
  readonly cipher?: FieldCipher;
  readonly eventBytesMax?: number;
  readonly eventsPerBatchMax: number;
  readonly observer?: IngestObserver;
  /**
   * `deliver` (default): the full chain. `claim`: up to dedupe, to rebuild a memory window from
   * the WAL at start. `preview`: up to validate, for synchronous validation answers.
   */
  readonly purpose?: 'deliver' | 'claim' | 'preview';
  /** Awaited by the dedupe stage before its first batch (the memory window's WAL warm-up). */
  readonly dedupeReady?: Promise<unknown>;
}

export function withIngestStages(defaults: readonly Stage[], options: IngestChainOptions): Stage[] {
  const notes = createEventNotes();
  const decode = (stage: Stage) => withLimitCodes(withSegmentJson(stage, options.eventsPerBatchMax));
  const chain = defaults.map((stage) => (stage.name === 'decode' ? decode(stage) : stage));
  const at = chain.findIndex((stage) => stage.name === 'stamp');
  if (at < 0) throw new Error(`the processing chain has no "stamp" stage to follow: ${chain.map((s) => s.name).join(' → ')}`);
  const purpose = options.purpose ?? 'deliver';
  const ours: Stage[] = [eventBytesStage(options.eventBytesMax ?? EVENT_BYTES_MAX_DEFAULT, notes), validateStage(options.registry, notes)];
  if (purpose !== 'preview' && options.deduper) {
    ours.push(dedupeStage({ deduper: options.deduper, nodeId: options.nodeId, notes, ...(options.dedupeReady ? { ready: options.dedupeReady } : {}) }));
  }
  if (purpose === 'deliver') {
    ours.push(piiStage(options.cipher, notes));
    if (options.observer) ours.push(observeStage(options.observer));
  }
  return [...chain.slice(0, at + 1), ...ours, ...chain.slice(at + 1)];
}
