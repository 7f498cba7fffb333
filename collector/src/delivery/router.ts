/**
 * Which records a sink receives. Rules naming a sink replace its defaults: a record goes to
 * the sink when any of its rules lists the record's zone and (when it lists types) its event
 * type. A sink no rule names gets its kind's default zones (the lake: all four; AWS sinks: clean).
 */
import type { LakeZone } from '@shopstream/shared';
import type { RouteRule } from '../config/config.js';
import type { SinkRecord } from '../sinks/sink.js';

export type RecordFilter = (record: SinkRecord) => boolean;

export function routeFor(sinkName: string, rules: readonly RouteRule[], defaultZones: readonly LakeZone[]): RecordFilter {
  const own = rules.filter((rule) => rule.sink === sinkName);
  if (own.length === 0) {
    const zones = new Set(defaultZones);
    return (record) => zones.has(record.zone);
  }
  const compiled = own.map((rule) => ({ zones: new Set(rule.zones), types: rule.eventTypes.length > 0 ? new Set(rule.eventTypes) : undefined }));
  return (record) => compiled.some((rule) => rule.zones.has(record.zone) && (!rule.types || rule.types.has(record.eventType)));
}
