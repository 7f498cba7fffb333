import type { EventEnvelope, EventKind, SchemaRef } from '@shopstream/shared';

export type Properties = Record<string, unknown>;

/** Per-call options, as in Segment's analytics-node messages. */
export interface CallOptions {
  readonly userId?: string;
  readonly anonymousId?: string;
  readonly sessionId?: string;
  /** Merged over the client's `context` for this event. */
  readonly context?: Properties;
  /** When the event happened, if not now (e.g. replaying an import). */
  readonly timestamp?: Date | string;
  /** The catalog schema the event claims to follow. */
  readonly schema?: SchemaRef;
}

export interface EnvelopeFields {
  readonly properties?: Properties;
  readonly traits?: Properties;
  readonly groupId?: string;
  readonly previousId?: string;
}

export interface EnvelopeDefaults {
  readonly id: string;
  readonly nowMs: number;
  readonly context?: Properties;
  readonly userId?: string;
  readonly anonymousId?: string;
}

/**
 * Builds the envelope at call time: the id and timestamp are fixed here, so a resend after a
 * crash carries the same id and the collector can drop the duplicate. Absent fields are left
 * out rather than set to undefined, which keeps frames small.
 */
export function buildEnvelope(kind: EventKind, type: string, fields: EnvelopeFields, options: CallOptions | undefined, defaults: EnvelopeDefaults): EventEnvelope {
  const envelope: EventEnvelope = { id: defaults.id, type, timestamp: timestampOf(options?.timestamp, defaults.nowMs) };
  if (kind !== 'track') envelope.kind = kind;
  const userId = options?.userId ?? defaults.userId;
  if (userId !== undefined) envelope.userId = userId;
  const anonymousId = options?.anonymousId ?? defaults.anonymousId;
  if (anonymousId !== undefined) envelope.anonymousId = anonymousId;
  if (options?.sessionId !== undefined) envelope.sessionId = options.sessionId;
  const context = options?.context && defaults.context ? { ...defaults.context, ...options.context } : (options?.context ?? defaults.context);
  if (context !== undefined) envelope.context = context;
  if (fields.properties !== undefined) envelope.properties = fields.properties;
  if (fields.traits !== undefined) envelope.traits = fields.traits;
  if (fields.groupId !== undefined) envelope.groupId = fields.groupId;
  if (fields.previousId !== undefined) envelope.previousId = fields.previousId;
  if (options?.schema !== undefined) envelope.schema = options.schema;
  return envelope;
}

// Many events share a millisecond under load: format each millisecond once.
let lastMs = Number.NaN;
let lastIso = '';

function timestampOf(value: Date | string | undefined, nowMs: number): string {
  if (value === undefined) {
    if (nowMs !== lastMs) {
      lastMs = nowMs;
      lastIso = new Date(nowMs).toISOString();
    }
    return lastIso;
  }
  return typeof value === 'string' ? value : value.toISOString();
}
