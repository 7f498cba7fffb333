// Node-only additions to the wire contract: native lz4, zlib gzip and CRC32C, pooled CSPRNG bytes for ids.
export { lz4Codec } from './frame/codecs/lz4-node.js';
export { gzipZlibCodec } from './frame/codecs/gzip-zlib.js';
export { createPooledRandom } from './pooled-random.js';
export { crc32cNative } from './crc32c-native.js';
