/**
 * (Over 300 lines on purpose: the byte scanner and the decoder it guards share one reading of the
 * msgpack format; split, each would restate the other's type table.)
 *
 * msgpack batches decoded with the per-event limits applied to the bytes, before values are built
 * (issue 18: depth and sizes bounded while decoding, one bad event failing alone):
 *
 * - msgpackr's decoder recurses, so an item nested ~100,000 deep (a 100 KB frame) overflowed its
 *   stack and the whole batch failed as "not valid msgpack", its good neighbours with it;
 * - a 33 KB lz4 frame opens to 8 MiB of msgpack holding one array of 8 million zeros: decoding it
 *   builds ~100 MB of heap and took ~0.4 s, and the guard's refusal of it afterwards more, on the
 *   delivery thread and on the HTTP thread for each sync preview.
 *
 * So a payload of GUARD_SCAN_PAYLOAD_BYTES_MIN or more is first walked by an iterative scan that
 * builds nothing and finds each item's bytes, nesting depth and a lower bound of its JSON size
 * (counted as ../limits/event-value-guard.ts counts the decoded value, never more: a UTF-8 string
 * of n bytes is at least n/3 characters; only a map's repeated keys count each time they appear). An item past limits.eventDepthMax or ingest.eventBytesMax is refused
 * there (COLLECTOR_LIMIT_EVENT_DEPTH / _BYTES) without being decoded and the others are decoded one
 * by one; with nothing to refuse the batch is decoded in one call as before. A smaller payload is
 * decoded in one call (at most 64 KiB of values, whatever they hold); only if that overflows the
 * stack is it scanned too. Batches of 100 ordinary events (~30 KB) never pay for the scan.
 */
import { createHash } from 'node:crypto';
import { msgpackEncoding, SharedError, type EnvelopeEncoding } from '@shopstream/shared';
import type { EventValueLimits } from '../limits/event-value-guard.js';
import type { RefusedSample } from '../limits/refused-sample.js';

export const GUARD_SCAN_PAYLOAD_BYTES_MIN = 64 * 1024;

/** Stands in the decoded array for an item that was not decoded; the decode stage refuses it. */
export class UndecodedItem {
  constructor(
    readonly code: 'COLLECTOR_LIMIT_EVENT_DEPTH' | 'COLLECTOR_LIMIT_EVENT_BYTES' | 'SHARED_PAYLOAD_CORRUPT',
    readonly message: string,
    readonly sample: RefusedSample,
  ) {}
}

/** Arrays that came from the item-by-item path (the only ones that may hold an UndecodedItem). */
const splitBatches = new WeakSet<unknown[]>();

export function holdsUndecodedItems(items: unknown[]): boolean {
  return splitBatches.has(items);
}

/** msgpack as the shared encoding decodes it, with the limits applied to the bytes first (above). */
export function guardedMsgpackEncoding(limits: EventValueLimits): EnvelopeEncoding {
  return {
    ...msgpackEncoding,
    decode(bytes) {
      if (bytes.length >= GUARD_SCAN_PAYLOAD_BYTES_MIN) {
        const scan = scanItems(bytes, limits);
        // Not exactly one array of items: never hand a large payload to the one-call decoder,
        // which builds all of it (and, on trailing bytes, serialises it for its error message).
        if (!scan) throw new SharedError('SHARED_PAYLOAD_CORRUPT', `the ${bytes.length}-byte msgpack payload is not one array of events`);
        if (scan.refusing) return decodeScanned(bytes, scan.items, limits);
      }
      try {
        return msgpackEncoding.decode(bytes);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        const items = decodeItemByItem(bytes, limits);
        if (!items) throw error;
        return items;
      }
    },
  };
}

interface Scanned {
  readonly depth: number;
  readonly bytesAtLeast: number;
}

interface ScannedItem extends Scanned {
  readonly start: number;
  readonly end: number;
}

function refusal(scanned: Scanned, limits: EventValueLimits): { code: UndecodedItem['code']; message: string } | undefined {
  if (scanned.depth > limits.depthMax) {
    return { code: 'COLLECTOR_LIMIT_EVENT_DEPTH', message: `the event nests objects and arrays ${scanned.depth} levels deep, deeper than ${limits.depthMax} levels (found before decoding)` };
  }
  if (scanned.bytesAtLeast > limits.eventBytesMax) {
    return { code: 'COLLECTOR_LIMIT_EVENT_BYTES', message: `the event is at least ${scanned.bytesAtLeast} bytes as JSON, over the ${limits.eventBytesMax}-byte per-event limit (ingest.eventBytesMax; found before decoding)` };
  }
  return undefined;
}

/** Each item's bytes, depth and JSON size; undefined when the bytes are no complete msgpack array. */
function scanItems(bytes: Uint8Array, limits: EventValueLimits): { items: ScannedItem[]; refusing: boolean } | undefined {
  const reader = new Reader(bytes);
  const count = reader.arrayHeader();
  if (count === undefined) return undefined;
  const items: ScannedItem[] = [];
  let refusing = false;
  for (let i = 0; i < count; i++) {
    const start = reader.at;
    const scanned = reader.skipValue();
    if (scanned === undefined) return undefined;
    items.push({ ...scanned, start, end: reader.at });
    refusing ||= refusal(scanned, limits) !== undefined;
  }
  return reader.at === bytes.length ? { items, refusing } : undefined;
}

/** undefined when `bytes` is not one msgpack array of complete values (the one-call decode's error stands). */
export function decodeItemByItem(bytes: Uint8Array, limits: EventValueLimits): unknown[] | undefined {
  const scan = scanItems(bytes, limits);
  return scan && decodeScanned(bytes, scan.items, limits);
}

function decodeScanned(bytes: Uint8Array, scanned: readonly ScannedItem[], limits: EventValueLimits): unknown[] {
  const items: unknown[] = [];
  for (const item of scanned) {
    const itemBytes = bytes.subarray(item.start, item.end);
    const refused = refusal(item, limits);
    if (refused) {
      items.push(undecoded(refused.code, refused.message, itemBytes));
      continue;
    }
    try {
      items.push(msgpackEncoding.decode(itemBytes));
    } catch (error) {
      items.push(undecoded('SHARED_PAYLOAD_CORRUPT', `the event is not valid msgpack (${error instanceof Error ? error.message : String(error)})`, itemBytes));
    }
  }
  splitBatches.add(items);
  return items;
}

function undecoded(code: UndecodedItem['code'], message: string, bytes: Uint8Array): UndecodedItem {
  const sample = `msgpack ${Buffer.from(bytes.subarray(0, 32)).toString('hex')}${bytes.length > 32 ? '…' : ''}`;
  const { id, type } = new Reader(bytes).topLevelNames();
  return new UndecodedItem(code, message, {
    ...(id === undefined ? {} : { id }),
    ...(type === undefined ? {} : { type }),
    sample,
    bytesAtLeast: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    truncated: true,
  });
}

/** Top-level `id` and `type` strings of at most this many bytes are read for the refusal's sample. */
const NAME_BYTES_MAX = 200;
const utf8 = new TextDecoder();

/** Walks msgpack bytes (https://github.com/msgpack/msgpack/blob/master/spec.md) without building values. */
class Reader {
  at = 0;
  /** JSON bytes of the value being skipped, at least (as the guard counts: never more than it). */
  private jsonBytes = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  arrayHeader(): number | undefined {
    const type = this.bytes[this.at];
    if (type === undefined) return undefined;
    this.at += 1;
    if (type >= 0x90 && type <= 0x9f) return type & 0x0f;
    if (type === 0xdc) return this.uint(2);
    if (type === 0xdd) return this.uint(4);
    return undefined;
  }

  /**
   * Moves past one value; returns its nesting depth (a scalar 0, `[]` 1, `[[1]]` 2) and a lower
   * bound of its JSON size, or undefined when the bytes end early or hold a never-used type byte.
   * The stack keeps only containers with values still to read, so a 100,000-deep chain of
   * one-element arrays needs no stack at all.
   */
  skipValue(): Scanned | undefined {
    let remaining = 1;
    let depth = 0;
    let deepest = 0;
    this.jsonBytes = 0;
    const outerRemaining: number[] = [];
    const outerDepth: number[] = [];
    for (;;) {
      while (remaining === 0) {
        if (outerRemaining.length === 0) return { depth: deepest, bytesAtLeast: this.jsonBytes };
        remaining = outerRemaining.pop()!;
        depth = outerDepth.pop()!;
      }
      remaining -= 1;
      const children = this.skipHeader();
      if (children === undefined) return undefined;
      if (children < 0) continue; // a scalar
      deepest = Math.max(deepest, depth + 1);
      if (children === 0) continue;
      if (remaining > 0) {
        outerRemaining.push(remaining);
        outerDepth.push(depth);
      }
      remaining = children;
      depth += 1;
    }
  }

  /**
   * The item's top-level `id` and `type` when it is a map and they are short strings, read without
   * decoding anything else, so a refusal found before decoding still names its event.
   */
  topLevelNames(): { id?: string; type?: string } {
    const names: { id?: string; type?: string } = {};
    const type = this.bytes[this.at];
    if (type === undefined) return names;
    this.at += 1;
    const pairs = type >= 0x80 && type <= 0x8f ? type & 0x0f : type === 0xde ? this.uint(2) : type === 0xdf ? this.uint(4) : undefined;
    for (let i = 0; pairs !== undefined && i < pairs; i++) {
      const key = this.shortString();
      if (key === null) return names;
      const value = key === 'id' || key === 'type' ? this.shortString() : this.skipValue() === undefined ? null : undefined;
      if (value === null) return names;
      if (typeof value === 'string' && (key === 'id' || key === 'type')) names[key] = value;
      if (names.id !== undefined && names.type !== undefined) break;
    }
    return names;
  }

  /** A string of at most NAME_BYTES_MAX bytes; undefined for any other value (skipped); null past the end. */
  private shortString(): string | undefined | null {
    const type = this.bytes[this.at];
    if (type === undefined) return null;
    let length: number | undefined;
    let start = this.at + 1;
    if (type >= 0xa0 && type <= 0xbf) length = type & 0x1f;
    else if (type === 0xd9 && start < this.bytes.length) length = this.bytes[start++];
    if (length === undefined || length > NAME_BYTES_MAX) return this.skipValue() === undefined ? null : undefined;
    if (start + length > this.bytes.length) return null;
    this.at = start + length;
    return utf8.decode(this.bytes.subarray(start, start + length));
  }

  /** Reads one type byte and moves past a scalar (-1) or a container's header (its child count). */
  private skipHeader(): number | undefined {
    const type = this.bytes[this.at];
    if (type === undefined) return undefined;
    this.at += 1;
    if (type <= 0x7f || type >= 0xe0) return this.scalar(1);
    if (type <= 0x8f) return this.container((type & 0x0f) * 2, type & 0x0f);
    if (type <= 0x9f) return this.container(type & 0x0f, 0);
    if (type <= 0xbf) return this.text(type & 0x1f);
    switch (type) {
      case 0xc0: case 0xc2: case 0xc3: return this.scalar(4); // nil, false, true
      case 0xd9: return this.textSized(1); // str 8, 16, 32
      case 0xda: return this.textSized(2);
      case 0xdb: return this.textSized(4);
      case 0xc4: return this.skipSized(1); // bin 8, 16, 32 (the guard refuses binary anyway)
      case 0xc5: return this.skipSized(2);
      case 0xc6: return this.skipSized(4);
      case 0xc7: return this.skipSized(1, 1); // ext 8, 16, 32: size, type, data
      case 0xc8: return this.skipSized(2, 1);
      case 0xc9: return this.skipSized(4, 1);
      case 0xcc: case 0xd0: return this.fixed(1);
      case 0xcd: case 0xd1: return this.fixed(2);
      case 0xca: case 0xce: case 0xd2: return this.fixed(4);
      case 0xcb: case 0xcf: case 0xd3: return this.fixed(8);
      case 0xd4: return this.fixed(2); // fixext 1, 2, 4, 8, 16: type, data
      case 0xd5: return this.fixed(3);
      case 0xd6: return this.fixed(5);
      case 0xd7: return this.fixed(9);
      case 0xd8: return this.fixed(17);
      case 0xdc: return this.containerSized(2, 1);
      case 0xdd: return this.containerSized(4, 1);
      case 0xde: return this.containerSized(2, 2);
      case 0xdf: return this.containerSized(4, 2);
      default: return undefined; // 0xc1 is never used
    }
  }

  private scalar(jsonBytes: number): number {
    this.jsonBytes += jsonBytes;
    return -1;
  }

  /** A container of `children` values (a map's keys and values), `keys` of them keys: brackets, commas, colons. */
  private container(children: number, keys: number): number {
    const values = children - keys;
    this.jsonBytes += 2 + Math.max(0, values - 1) + keys;
    return children;
  }

  private containerSized(size: 2 | 4, perEntry: 1 | 2): number | undefined {
    const count = this.uint(size);
    return count === undefined ? undefined : this.container(count * perEntry, perEntry === 2 ? count : 0);
  }

  /** A UTF-8 string of `length` bytes is at least length/3 characters, plus its quotes. */
  private text(length: number): number | undefined {
    this.jsonBytes += Math.ceil(length / 3) + 2;
    return this.skip(length);
  }

  private textSized(size: 1 | 2 | 4): number | undefined {
    const length = this.uint(size);
    return length === undefined ? undefined : this.text(length);
  }

  private uint(size: 1 | 2 | 4): number | undefined {
    if (this.at + size > this.bytes.length) return undefined;
    const value = size === 1 ? this.view.getUint8(this.at) : size === 2 ? this.view.getUint16(this.at) : this.view.getUint32(this.at);
    this.at += size;
    return value;
  }

  private skip(bytes: number): number | undefined {
    this.at += bytes;
    return this.at <= this.bytes.length ? -1 : undefined;
  }

  /** A number, binary or extension of `bytes` bytes after its type byte: one JSON character at least. */
  private fixed(bytes: number): number | undefined {
    this.jsonBytes += 1;
    return this.skip(bytes);
  }

  private skipSized(size: 1 | 2 | 4, extra = 0): number | undefined {
    const length = this.uint(size);
    return length === undefined ? undefined : this.fixed(length + extra);
  }
}
