/** Chains and outcomes for tests: the same builder the collector uses, with small limits. */
import { buildChain, type ChainOptions } from '../chain/build-chain.js';
import { EVENT_VALUE_LIMITS_DEFAULT } from '../limits/event-guard-stage.js';
import type { ProcessedRecord, ProcessOutcome, Stage } from '../processor.js';

/** decode → event-guard → stamp, plus whatever `options` adds (a registry: event-bytes → validate → …). */
export function testChain(options: Partial<ChainOptions> = {}): Stage[] {
  return buildChain({ purpose: 'deliver', decodedBytesMax: 1 << 20, eventsPerBatchMax: 1000, eventValue: EVENT_VALUE_LIMITS_DEFAULT, nodeId: 'test', ...options });
}

export function processed(outcome: ProcessOutcome): ProcessedRecord {
  if (outcome.status !== 'processed') throw new Error(`expected the record processed, got a retry from ${outcome.stage}: ${outcome.error.message}`);
  return outcome;
}
