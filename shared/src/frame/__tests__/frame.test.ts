import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CodecId,
  FRAME_HEADER_BYTES,
  PayloadEncoding,
  assembleFrame,
  crc32cSmall,
  checkFrame,
  decodeFrame,
  encodeFrame,
  gzipStreamCodec,
  identityCodec,
  jsonEncoding,
  msgpackEncoding,
  isSharedError,
  type DecodeFrameOptions,
} from '../../index.js';
import { gzipZlibCodec, lz4Codec } from '../../node.js';

const vectorsDir = join(import.meta.dirname, '..', '..', '..', 'vectors');
const envelopes = JSON.parse(readFileSync(join(vectorsDir, 'envelopes.json'), 'utf8'));
const decodeOptions: DecodeFrameOptions = {
  codecs: { [CodecId.identity]: identityCodec, [CodecId.lz4]: lz4Codec, [CodecId.gzip]: gzipZlibCodec },
  encodings: { 0: msgpackEncoding, 1: jsonEncoding },
  maxDecodedBytes: 1 << 20,
};

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (isSharedError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('batch frame', () => {
  it.each([
    ['identity', identityCodec],
    ['lz4', lz4Codec],
    ['gzip (zlib)', gzipZlibCodec],
    ['gzip (CompressionStream)', gzipStreamCodec],
  ] as const)('round-trips through the %s codec with both encodings', async (_name, codec) => {
    for (const encoding of [msgpackEncoding, jsonEncoding]) {
      const frame = await encodeFrame(envelopes, { codec, encoding });
      expect(await decodeFrame(frame, decodeOptions)).toEqual(envelopes);
    }
  });

  it('gzip from CompressionStream and from zlib decode to the same events', async () => {
    const fromStream = await encodeFrame(envelopes, { codec: gzipStreamCodec, encoding: jsonEncoding });
    const viaStream = await decodeFrame(fromStream, { ...decodeOptions, codecs: { [CodecId.gzip]: gzipStreamCodec } });
    expect(await decodeFrame(fromStream, decodeOptions)).toEqual(viaStream);
  });

  it('decodes every checked-in test vector to envelopes.json', async () => {
    const files = readdirSync(vectorsDir).filter((f) => f.endsWith('.bin'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      expect(await decodeFrame(readFileSync(join(vectorsDir, file)), decodeOptions), file).toEqual(envelopes);
    }
  });

  it('re-encoding the vectors reproduces their bytes (msgpack and json are deterministic)', async () => {
    const frame = await encodeFrame(envelopes, { codec: identityCodec, encoding: msgpackEncoding });
    expect(Buffer.from(frame)).toEqual(readFileSync(join(vectorsDir, 'frame-identity-msgpack.bin')));
    const lz4 = await encodeFrame(envelopes, { codec: lz4Codec, encoding: msgpackEncoding });
    expect(Buffer.from(lz4)).toEqual(readFileSync(join(vectorsDir, 'frame-lz4-msgpack.bin')));
  });

  it('assembleFrame with the one-table crc32cSmall (the browser path) reproduces the vector bytes', async () => {
    const payload = new TextEncoder().encode(JSON.stringify(envelopes));
    const frame = assembleFrame(payload, { codec: CodecId.identity, encoding: PayloadEncoding.json, eventCount: envelopes.length }, crc32cSmall);
    expect(Buffer.from(frame)).toEqual(readFileSync(join(vectorsDir, 'frame-identity-json.bin')));
  });

  it('names what is wrong with a damaged frame', async () => {
    const good = await encodeFrame(envelopes, { codec: lz4Codec, encoding: msgpackEncoding });
    expect(await codeOf(() => checkFrame(good.subarray(0, 10)))).toBe('SHARED_FRAME_TRUNCATED');
    expect(await codeOf(() => checkFrame(good.subarray(0, good.length - 3)))).toBe('SHARED_FRAME_LENGTH_MISMATCH');
    const badMagic = good.slice();
    badMagic[0] = 0x47;
    expect(await codeOf(() => checkFrame(badMagic))).toBe('SHARED_FRAME_BAD_MAGIC');
    const badVersion = good.slice();
    badVersion[4] = 9;
    expect(await codeOf(() => checkFrame(badVersion))).toBe('SHARED_FRAME_BAD_VERSION');
    const badCodec = good.slice();
    badCodec[5] = 7;
    expect(await codeOf(() => checkFrame(badCodec))).toBe('SHARED_FRAME_UNKNOWN_CODEC');
    const flipped = good.slice();
    flipped[FRAME_HEADER_BYTES + 5]! ^= 0x01;
    expect(await codeOf(() => checkFrame(flipped))).toBe('SHARED_FRAME_CRC_MISMATCH');
    expect(await codeOf(() => checkFrame(good, 10))).toBe('SHARED_FRAME_TOO_LARGE');
  });

  it('stops a compression bomb at the decoded-size limit', async () => {
    const huge = new Uint8Array(8 << 20); // 8 MiB of zeros compresses to a few KB
    for (const codec of [lz4Codec, gzipZlibCodec, gzipStreamCodec]) {
      const payload = await codec.encode(huge);
      expect(payload.length).toBeLessThan(64 << 10);
      expect(await codeOf(async () => codec.decode(payload, 1 << 20)), codec.name).toBe('SHARED_PAYLOAD_TOO_LARGE');
    }
  });

  it('refuses a payload that is not an array or miscounts its events', async () => {
    const notArray = await encodeFrame({ length: 0 } as never, { codec: identityCodec, encoding: jsonEncoding });
    expect(await codeOf(decodeFrame(notArray, decodeOptions))).toBe('SHARED_PAYLOAD_NOT_A_BATCH');
    const frame = await encodeFrame(envelopes, { codec: identityCodec, encoding: jsonEncoding });
    frame[12] = 5; // claim 5 events; CRC covers only the payload so the header lie reaches decoding
    expect(await codeOf(decodeFrame(frame, decodeOptions))).toBe('SHARED_PAYLOAD_CORRUPT');
  });
});
