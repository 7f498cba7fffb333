/**
 * msgpackr's decoder recurses, so a msgpack batch holding one item nested ~100,000 deep (a 100 KB
 * frame) overflows its stack and the whole batch failed as "not valid msgpack", its good
 * neighbours with it (issue 18: one bad event must fail alone, depth bounded while decoding).
 * When the one-call decode throws a RangeError, this finds each item's bytes with an iterative
 * scan (no recursion, no values built) and decodes the items one by one: an item nesting deeper
 * than MSGPACK_ITEM_DEPTH_DECODE_MAX is not decoded at all but refused as
 * COLLECTOR_LIMIT_EVENT_DEPTH, one that still fails as SHARED_PAYLOAD_CORRUPT; the others go on.
 * The common case pays nothing: this runs only after the one-call decode failed.
 */
import { createHash } from 'node:crypto';
import { msgpackEncoding, type EnvelopeEncoding } from '@shopstream/shared';
import type { RefusedSample } from '../limits/refused-sample.js';

/** The highest limits.eventDepthMax the config allows; msgpackr decodes 10,000 levels on node's default stack. */
export const MSGPACK_ITEM_DEPTH_DECODE_MAX = 1000;

/** Stands in the decoded array for an item that was not decoded; the decode stage refuses it. */
export class UndecodedItem {
  constructor(
    readonly code: 'COLLECTOR_LIMIT_EVENT_DEPTH' | 'SHARED_PAYLOAD_CORRUPT',
    readonly message: string,
    readonly sample: RefusedSample,
  ) {}
}

/** Arrays that came from the item-by-item path (the only ones that may hold an UndecodedItem). */
const splitBatches = new WeakSet<unknown[]>();

export function holdsUndecodedItems(items: unknown[]): boolean {
  return splitBatches.has(items);
}

/** msgpack as the shared encoding decodes it, plus the item-by-item fallback above. */
export const msgpackItemByItemEncoding: EnvelopeEncoding = {
  ...msgpackEncoding,
  decode(bytes) {
    try {
      return msgpackEncoding.decode(bytes);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      const items = decodeItemByItem(bytes);
      if (!items) throw error;
      return items;
    }
  },
};

/** undefined when `bytes` is not one msgpack array of complete values (the original error stands). */
export function decodeItemByItem(bytes: Uint8Array): unknown[] | undefined {
  const reader = new Reader(bytes);
  const count = reader.arrayHeader();
  if (count === undefined) return undefined;
  const items: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const start = reader.at;
    const depth = reader.skipValue();
    if (depth === undefined) return undefined;
    const itemBytes = bytes.subarray(start, reader.at);
    if (depth > MSGPACK_ITEM_DEPTH_DECODE_MAX) {
      items.push(undecoded('COLLECTOR_LIMIT_EVENT_DEPTH', `the event nests objects and arrays ${depth} levels deep, too deep to decode (more than ${MSGPACK_ITEM_DEPTH_DECODE_MAX})`, itemBytes));
      continue;
    }
    try {
      items.push(msgpackEncoding.decode(itemBytes));
    } catch (error) {
      items.push(undecoded('SHARED_PAYLOAD_CORRUPT', `the event is not valid msgpack (${error instanceof Error ? error.message : String(error)})`, itemBytes));
    }
  }
  if (reader.at !== bytes.length) return undefined;
  splitBatches.add(items);
  return items;
}

function undecoded(code: UndecodedItem['code'], message: string, bytes: Uint8Array): UndecodedItem {
  const sample = `msgpack ${Buffer.from(bytes.subarray(0, 32)).toString('hex')}${bytes.length > 32 ? '…' : ''}`;
  return new UndecodedItem(code, message, { sample, bytesAtLeast: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), truncated: true });
}

/** Walks msgpack bytes (https://github.com/msgpack/msgpack/blob/master/spec.md) without building values. */
class Reader {
  at = 0;
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
   * Moves past one value; returns its nesting depth (a scalar 0, `[]` 1, `[[1]]` 2), or undefined
   * when the bytes end early or hold a never-used type byte. The stack keeps only containers with
   * values still to read, so a 100,000-deep chain of one-element arrays needs no stack at all.
   */
  skipValue(): number | undefined {
    let remaining = 1;
    let depth = 0;
    let deepest = 0;
    const outerRemaining: number[] = [];
    const outerDepth: number[] = [];
    for (;;) {
      while (remaining === 0) {
        if (outerRemaining.length === 0) return deepest;
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

  /** Reads one type byte and moves past a scalar (-1) or a container's header (its child count). */
  private skipHeader(): number | undefined {
    const type = this.bytes[this.at];
    if (type === undefined) return undefined;
    this.at += 1;
    if (type <= 0x7f || type >= 0xe0 || type === 0xc0 || type === 0xc2 || type === 0xc3) return -1;
    if (type <= 0x8f) return (type & 0x0f) * 2;
    if (type <= 0x9f) return type & 0x0f;
    if (type <= 0xbf) return this.skip(type & 0x1f);
    switch (type) {
      case 0xc4: case 0xd9: return this.skipSized(1); // bin 8, str 8
      case 0xc5: case 0xda: return this.skipSized(2);
      case 0xc6: case 0xdb: return this.skipSized(4);
      case 0xc7: return this.skipSized(1, 1); // ext 8, 16, 32: size, type, data
      case 0xc8: return this.skipSized(2, 1);
      case 0xc9: return this.skipSized(4, 1);
      case 0xcc: case 0xd0: return this.skip(1);
      case 0xcd: case 0xd1: return this.skip(2);
      case 0xca: case 0xce: case 0xd2: return this.skip(4);
      case 0xcb: case 0xcf: case 0xd3: return this.skip(8);
      case 0xd4: return this.skip(2); // fixext 1, 2, 4, 8, 16: type, data
      case 0xd5: return this.skip(3);
      case 0xd6: return this.skip(5);
      case 0xd7: return this.skip(9);
      case 0xd8: return this.skip(17);
      case 0xdc: return this.uint(2);
      case 0xdd: return this.uint(4);
      case 0xde: return this.pairs(2);
      case 0xdf: return this.pairs(4);
      default: return undefined; // 0xc1 is never used
    }
  }

  private uint(size: 1 | 2 | 4): number | undefined {
    if (this.at + size > this.bytes.length) return undefined;
    const value = size === 1 ? this.view.getUint8(this.at) : size === 2 ? this.view.getUint16(this.at) : this.view.getUint32(this.at);
    this.at += size;
    return value;
  }

  private pairs(size: 2 | 4): number | undefined {
    const count = this.uint(size);
    return count === undefined ? undefined : count * 2;
  }

  private skip(bytes: number): number | undefined {
    this.at += bytes;
    return this.at <= this.bytes.length ? -1 : undefined;
  }

  private skipSized(size: 1 | 2 | 4, extra = 0): number | undefined {
    const length = this.uint(size);
    return length === undefined ? undefined : this.skip(length + extra);
  }
}
