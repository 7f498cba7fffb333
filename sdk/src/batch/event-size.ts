import type { EventEnvelope } from '@shopstream/shared';
import { SdkError } from '../errors.js';

/** Nesting deeper than this is refused: it also catches circular objects without a visited set. */
export const EVENT_DEPTH_MAX = 32;

/**
 * Estimated encoded size of one envelope, close to its JSON length (msgpack is a little
 * smaller, so limits err on the safe side). A walk instead of `JSON.stringify` because this
 * runs on every `track()`: it is several times cheaper and allocates nothing. It also refuses,
 * at call time, what could never be sent: circular or absurdly deep values and BigInts.
 */
export function estimateEnvelopeBytes(envelope: EventEnvelope): number {
  return estimateValueBytes(envelope, 0, envelope.type);
}

function estimateValueBytes(value: unknown, depth: number, type: string): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return 8;
    case 'boolean':
      return 5;
    case 'undefined':
    case 'function':
    case 'symbol':
      return 0;
    case 'bigint':
      throw new SdkError('SDK_EVENT_INVALID', `event "${type}" holds a BigInt, which JSON cannot carry: convert it to a string or number`);
    default:
      break;
  }
  if (value === null) return 4;
  if (depth >= EVENT_DEPTH_MAX) {
    throw new SdkError('SDK_EVENT_INVALID', `event "${type}" nests deeper than ${EVENT_DEPTH_MAX} levels (circular reference?)`);
  }
  if (value instanceof Date) return 26;
  let bytes = 2;
  if (Array.isArray(value)) {
    for (const item of value) bytes += estimateValueBytes(item, depth + 1, type) + 1;
    return bytes;
  }
  for (const key in value as Record<string, unknown>) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    bytes += key.length + 4 + estimateValueBytes((value as Record<string, unknown>)[key], depth + 1, type);
  }
  return bytes;
}
