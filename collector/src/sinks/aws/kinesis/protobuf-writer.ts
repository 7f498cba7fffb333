/**
 * The few protobuf encodings the KPL aggregation format needs (proto2, no library): varints,
 * and length-delimited fields (wire type 2) for strings, bytes and embedded messages.
 * Spec: https://protobuf.dev/programming-guides/encoding/ . Sizes are computed first so the
 * aggregator can stop before 1 MiB without encoding twice.
 */

export const WIRE_VARINT = 0;
export const WIRE_LENGTH_DELIMITED = 2;

/** Bytes a non-negative integer takes as a base-128 varint (1 per 7 bits). */
export function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

/** Bytes of a length-delimited field with a one-byte tag (field numbers 1..15). */
export function delimitedFieldBytes(payloadBytes: number): number {
  return 1 + varintBytes(payloadBytes) + payloadBytes;
}

/** Bytes of a varint field with a one-byte tag. */
export function varintFieldBytes(value: number): number {
  return 1 + varintBytes(value);
}

/** Writes into a buffer sized in advance; throws if the size computation was wrong (a bug). */
export class ProtobufWriter {
  private offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  varint(value: number): this {
    while (value >= 0x80) {
      this.bytes[this.offset++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    this.bytes[this.offset++] = value;
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  varintField(field: number, value: number): this {
    return this.tag(field, WIRE_VARINT).varint(value);
  }

  bytesField(field: number, payload: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED).varint(payload.length);
    this.bytes.set(payload, this.offset);
    this.offset += payload.length;
    return this;
  }

  /** Starts an embedded message of a known size; the caller writes its fields next. */
  messageHeader(field: number, messageBytes: number): this {
    return this.tag(field, WIRE_LENGTH_DELIMITED).varint(messageBytes);
  }

  get written(): number {
    return this.offset;
  }

  finish(): Uint8Array {
    if (this.offset !== this.bytes.length) throw new Error(`protobuf size mismatch: wrote ${this.offset} of ${this.bytes.length} bytes`);
    return this.bytes;
  }
}
