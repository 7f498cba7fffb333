import { CodecId, type Codec } from '@shopstream/shared';

/**
 * Encode-only codecs for the browser, which never decodes a frame: shared's `gzipStreamCodec`
 * and `identityCodec` carry bounded decoders (and their errors) that would cost every shop's
 * bundle about 250 bytes min+gzip for nothing. Same ids and bytes on the wire.
 */
const encodeOnly = (): never => {
  throw new TypeError('browser codecs only encode');
};

export const gzipEncodeCodec: Codec = {
  id: CodecId.gzip,
  name: 'gzip',
  encode: async (input) => new Uint8Array(await new Response(new Blob([input as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer()),
  decode: encodeOnly,
};

export const identityEncodeCodec: Codec = { id: CodecId.identity, name: 'identity', encode: (input) => input, decode: encodeOnly };
