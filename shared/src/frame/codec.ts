import type { CodecId } from './header.js';

/**
 * A compression codec for frame payloads. `decode` must stop with `SHARED_PAYLOAD_TOO_LARGE`
 * as soon as the output would pass `maxOutputBytes`: the collector's defence against
 * compression bombs. Async because the browser's CompressionStream is.
 */
export interface Codec {
  readonly id: CodecId;
  readonly name: 'identity' | 'lz4' | 'gzip';
  encode(input: Uint8Array): Promise<Uint8Array> | Uint8Array;
  decode(input: Uint8Array, maxOutputBytes: number): Promise<Uint8Array> | Uint8Array;
}

/** Codecs by id, as one side has them (the browser has no lz4). */
export type CodecSet = Partial<Record<CodecId, Codec>>;
