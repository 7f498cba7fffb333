/**
 * Bounds one decoded event before anything copies, escapes, serialises or validates it.
 *
 * Decoders (JSON.parse, msgpack) build whatever a body describes within the body's byte limits:
 * arrays nested 100,000 deep, one 7 MiB string, integers past 2^53. Each of these later breaks
 * something that recurses or escapes (JSON.stringify overflows the stack, a NUL-filled string
 * grows 6× when escaped, BigInt cannot be serialised at all), so one hostile event could fail
 * its whole batch or stop a sink. This walk is iterative (no recursion, so depth cannot overflow
 * the stack) and stops at the first limit crossed, so its cost is bounded by the limit, not by
 * the input. A refused event goes to the failed zone alone (as a bounded sample: ./refused-sample.ts);
 * its neighbours go on.
 *
 * Rules (documented in the collector README, "Hostile input"):
 * - nesting deeper than `depthMax` → `COLLECTOR_LIMIT_EVENT_DEPTH`;
 * - more than `eventBytesMax` bytes as JSON (a lower bound counted while walking: every string
 *   char is at least one byte) → `COLLECTOR_LIMIT_EVENT_BYTES`;
 * - a value JSON cannot carry (BigInt beyond ±2^53, NaN, ±Infinity, functions, symbols) →
 *   `COLLECTOR_EVENT_VALUE_INVALID`; msgpack integers within ±2^53 already decode as numbers;
 * - a key `__proto__` is renamed `__proto_`, in every encoding: the msgpack decoder does so to
 *   stop prototype pollution, and JSON keys get the same rule here so both read back alike.
 */

export interface EventValueLimits {
  /** Objects and arrays inside one another, the event itself at depth 1. */
  readonly depthMax: number;
  readonly eventBytesMax: number;
}

export type EventValueCode = 'COLLECTOR_LIMIT_EVENT_DEPTH' | 'COLLECTOR_LIMIT_EVENT_BYTES' | 'COLLECTOR_EVENT_VALUE_INVALID';

export type EventValueVerdict =
  | { readonly status: 'ok'; /** JSON bytes at least this many (exact for ASCII). */ readonly bytesAtLeast: number }
  | { readonly status: 'reject'; readonly code: EventValueCode; readonly message: string; readonly bytesAtLeast: number };

/** 32 levels hold any e-commerce event (products[].variants[] sits at depth 4). */
export const EVENT_DEPTH_MAX_DEFAULT = 32;

const PROTO_KEY = '__proto__';
const PROTO_KEY_RENAMED = '__proto_';

interface Pending {
  readonly value: object;
  readonly depth: number;
  readonly parent: Pending | undefined;
  readonly key: string | number | undefined;
}

/** `properties.products[3].price`: built only when a refusal names the place. */
function pathOf(at: Pending | undefined, key?: string | number): string {
  const parts: string[] = [];
  if (key !== undefined) parts.push(typeof key === 'number' ? `[${key}]` : `.${key}`);
  for (let p = at; p?.key !== undefined; p = p.parent) parts.push(typeof p.key === 'number' ? `[${p.key}]` : `.${p.key}`);
  const path = parts.reverse().join('').replace(/^\./, '');
  return path === '' ? 'the event' : path;
}

/** JSON bytes a scalar takes at least; -1 for a value JSON cannot carry. No closures: this runs per value. */
function scalarBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return Number.isFinite(value) ? 1 : -1;
    case 'boolean':
      return 4;
    case 'undefined':
      return 0; // dropped by JSON, as any JSON writer does
    default:
      return -1; // bigint (past ±2^53: smaller ones decode as numbers), symbol, function
  }
}

function invalidScalar(value: unknown, path: string, bytes: number): EventValueVerdict {
  const what =
    typeof value === 'bigint'
      ? `the integer ${String(value).slice(0, 40)}, outside the ±2^53 range JSON numbers hold exactly; send it as a string`
      : typeof value === 'number'
        ? `${value}, which JSON cannot carry`
        : `a ${typeof value}, which JSON cannot carry`;
  return { status: 'reject', code: 'COLLECTOR_EVENT_VALUE_INVALID', message: `${path} is ${what}`, bytesAtLeast: bytes };
}

function tooLarge(limits: EventValueLimits, bytes: number): EventValueVerdict {
  return { status: 'reject', code: 'COLLECTOR_LIMIT_EVENT_BYTES', message: `the event is at least ${bytes} bytes as JSON, over the ${limits.eventBytesMax}-byte per-event limit (ingest.eventBytesMax)`, bytesAtLeast: bytes };
}

export function checkEventValue(event: unknown, limits: EventValueLimits): EventValueVerdict {
  if (event === null || typeof event !== 'object') {
    const bytes = event === null ? 4 : scalarBytes(event);
    if (bytes < 0) return invalidScalar(event, 'the event', 0);
    return bytes > limits.eventBytesMax ? tooLarge(limits, bytes) : { status: 'ok', bytesAtLeast: bytes };
  }
  let bytes = 0;
  const stack: Pending[] = [{ value: event, depth: 1, parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const at = stack.pop()!;
    const { value, depth } = at;
    if (depth > limits.depthMax) {
      return { status: 'reject', code: 'COLLECTOR_LIMIT_EVENT_DEPTH', message: `the event nests objects and arrays deeper than ${limits.depthMax} levels (at ${pathOf(at)})`, bytesAtLeast: bytes };
    }
    if (value instanceof Date) {
      // A msgpack timestamp extension decodes as a Date; JSON writes it as ISO text.
      if (!Number.isFinite(value.getTime())) return { status: 'reject', code: 'COLLECTOR_EVENT_VALUE_INVALID', message: `${pathOf(at)} is an invalid date`, bytesAtLeast: bytes };
      bytes += 26;
      continue;
    }
    if (ArrayBuffer.isView(value)) {
      return { status: 'reject', code: 'COLLECTOR_EVENT_VALUE_INVALID', message: `${pathOf(at)} is binary data, which JSON cannot carry; send it as base64 text`, bytesAtLeast: bytes };
    }
    const isArray = Array.isArray(value);
    const keys = isArray ? undefined : Object.keys(value);
    const count = isArray ? (value as unknown[]).length : keys!.length;
    bytes += 2 + Math.max(0, count - 1); // brackets and commas
    if (bytes > limits.eventBytesMax) return tooLarge(limits, bytes);
    for (let i = 0; i < count; i++) {
      let key: string | number = i;
      let child: unknown;
      if (isArray) {
        child = (value as unknown[])[i];
      } else {
        key = keys![i]!;
        child = (value as Record<string, unknown>)[key];
        if (key === PROTO_KEY) {
          // As msgpack's decoder assigns keys in order: a later `__proto_` sibling wins over this
          // value, an earlier one is overwritten by it.
          if (keys!.indexOf(PROTO_KEY_RENAMED) > i) {
            delete (value as Record<string, unknown>)[PROTO_KEY];
            continue;
          }
          renameProtoKey(value as Record<string, unknown>, child);
          key = PROTO_KEY_RENAMED;
        }
        bytes += key.length + 3;
      }
      if (child === null) {
        bytes += 4;
      } else if (typeof child === 'object') {
        stack.push({ value: child, depth: depth + 1, parent: at, key });
      } else {
        const more = scalarBytes(child);
        if (more < 0) return invalidScalar(child, pathOf(at, key), bytes);
        bytes += more;
      }
      if (bytes > limits.eventBytesMax) return tooLarge(limits, bytes);
    }
  }
  return { status: 'ok', bytesAtLeast: bytes };
}

/** JSON.parse makes `__proto__` an own data property; give it the msgpack decoder's name instead. */
function renameProtoKey(object: Record<string, unknown>, value: unknown): void {
  delete object[PROTO_KEY];
  Object.defineProperty(object, PROTO_KEY_RENAMED, { value, enumerable: true, writable: true, configurable: true });
}
