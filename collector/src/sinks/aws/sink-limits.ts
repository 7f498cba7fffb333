/**
 * Operator overrides of a sink's batching limits. Overrides may lower the count and byte limits
 * (smaller calls, smaller files), never raise them past what the sink's API accepts; `lingerMs`
 * is free either way.
 */
import type { SinkLimits } from '../sink.js';

export function applyLimitOverrides(ceilings: SinkLimits, overrides: Partial<SinkLimits> | undefined): SinkLimits {
  const lower = (ceiling: number, wanted: number | undefined) => (wanted === undefined ? ceiling : Math.min(ceiling, wanted));
  return {
    recordsMax: lower(ceilings.recordsMax, overrides?.recordsMax),
    bytesMax: lower(ceilings.bytesMax, overrides?.bytesMax),
    recordBytesMax: lower(ceilings.recordBytesMax, overrides?.recordBytesMax),
    lingerMs: overrides?.lingerMs ?? ceilings.lingerMs,
  };
}

/** The limits an operator actually set: those that differ from the sink type's defaults. */
export function changedLimits(configured: SinkLimits, defaults: SinkLimits): Partial<SinkLimits> {
  const changed: { -readonly [K in keyof SinkLimits]?: number } = {};
  for (const key of Object.keys(defaults) as (keyof SinkLimits)[]) if (configured[key] !== defaults[key]) changed[key] = configured[key];
  return changed;
}
