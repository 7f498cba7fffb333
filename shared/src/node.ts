// Node-only additions to the wire contract: native lz4 and zlib gzip.
export { lz4Codec } from './frame/codecs/lz4-node.js';
export { gzipZlibCodec } from './frame/codecs/gzip-zlib.js';
