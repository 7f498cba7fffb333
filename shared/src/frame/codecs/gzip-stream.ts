import { SharedError } from '../../errors.js';
import { CodecId } from '../header.js';
import type { Codec } from '../codec.js';

/**
 * gzip through the platform's CompressionStream (every evergreen browser, and Node ≥ 18):
 * costs the browser bundle nothing. Node's collector uses the faster zlib codec in `./node`.
 */
export const gzipStreamCodec: Codec = {
  id: CodecId.gzip,
  name: 'gzip',
  encode: (input) => pump(input, new CompressionStream('gzip'), Number.POSITIVE_INFINITY),
  decode: (input, maxOutputBytes) => pump(input, new DecompressionStream('gzip'), maxOutputBytes),
};

async function pump(input: Uint8Array, stream: CompressionStream | DecompressionStream, maxOutputBytes: number): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  writer.write(input as unknown as BufferSource).catch(() => undefined);
  writer.close().catch(() => undefined);
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxOutputBytes) {
        await reader.cancel().catch(() => undefined);
        throw new SharedError('SHARED_PAYLOAD_TOO_LARGE', `decompressed payload passes the ${maxOutputBytes}-byte limit`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof SharedError) throw error;
    throw new SharedError('SHARED_PAYLOAD_CORRUPT', 'gzip payload is corrupt and cannot be decompressed', { cause: error });
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
