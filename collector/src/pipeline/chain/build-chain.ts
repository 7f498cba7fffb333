/**
 * The post-WAL chain as data: one ordered list of stages, built here and nowhere else, from the
 * config's values. The same list runs in the delivery loops, in synchronous validation
 * (`preview`), when the memory dedupe window is rebuilt from the WAL (`claim`), and offline
 * (backfill, redrive), so what the lake holds is what any of them would decide.
 *
 *   decode (frames: CRC, decrypt, decompress; JSON: Segment/RudderStack/Snowplow shapes)
 *   → event-guard (depth, size, values JSON cannot carry) → stamp (source, receivedAt, timestamp)
 *   → event-bytes (exact JSON size) → validate (schema catalog) → dedupe → pii → observe
 *
 * `purpose` cuts the list: `preview` ends after validate, `claim` after dedupe, `deliver` runs it all.
 */
import type { CodecSet, Opener } from '@shopstream/shared';
import type { Stage } from './stage.js';
import { decodeStage } from '../decode/decode-stage.js';
import { eventGuardStage } from '../limits/event-guard-stage.js';
import type { EventValueLimits } from '../limits/event-value-guard.js';
import { stampStage } from '../stamp/stamp-stage.js';
import { eventBytesStage } from '../limits/event-bytes-stage.js';
import { validateStage } from '../schema/validate-stage.js';
import type { SchemaRegistry } from '../schema/registry.js';
import { dedupeStage } from '../dedupe/dedupe-stage.js';
import type { Deduper } from '../dedupe/deduper.js';
import { piiStage } from '../pii/pii-stage.js';
import type { FieldCipher } from '../pii/field-cipher.js';
import { observeStage, type IngestObserver } from '../ingest-observer.js';
import { createEventNotes } from '../event-notes.js';

export type ChainPurpose = 'deliver' | 'claim' | 'preview';

export interface ChainOptions {
  readonly purpose: ChainPurpose;
  readonly decodedBytesMax: number;
  readonly eventsPerBatchMax: number;
  /** Depth and per-event size, checked while walking each decoded item (event-guard). */
  readonly eventValue: EventValueLimits;
  /** Private keys for sealed frames; absent: sealed frames fail to decode (failed zone). */
  readonly opener?: Opener;
  readonly codecs?: CodecSet;
  /** Read per batch, so a schema reload applies from the next batch. Absent: no validation (benchmarks of the core). */
  readonly registry?: () => SchemaRegistry;
  /** Absent: no deduplication. */
  readonly deduper?: Deduper;
  readonly nodeId: string;
  /** Awaited by the dedupe stage before its first batch (the memory window's WAL warm-up). */
  readonly dedupeReady?: Promise<unknown>;
  /** Absent: annotated PII fields are dropped instead of hashed/encrypted. */
  readonly cipher?: FieldCipher;
  readonly observer?: IngestObserver;
}

export function buildChain(options: ChainOptions): Stage[] {
  const notes = createEventNotes();
  const { purpose } = options;
  const chain: Stage[] = [
    decodeStage({ decodedBytesMax: options.decodedBytesMax, eventsPerBatchMax: options.eventsPerBatchMax, eventValue: options.eventValue, ...(options.opener ? { opener: options.opener } : {}), ...(options.codecs ? { codecs: options.codecs } : {}) }),
    eventGuardStage(options.eventValue),
    stampStage,
  ];
  if (!options.registry) return chain;
  chain.push(eventBytesStage(options.eventValue.eventBytesMax, notes), validateStage(options.registry, notes));
  if (purpose === 'preview') return chain;
  if (options.deduper) chain.push(dedupeStage({ deduper: options.deduper, nodeId: options.nodeId, notes, ...(options.dedupeReady ? { ready: options.dedupeReady } : {}) }));
  if (purpose === 'claim') return chain;
  chain.push(piiStage(options.cipher, notes));
  if (options.observer) chain.push(observeStage(options.observer));
  return chain;
}
