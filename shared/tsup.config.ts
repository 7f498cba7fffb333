import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  treeshake: true,
  // lz4-napi and @node-rs/crc32 are optional native dependencies: load it at run time, never bundle its .node files.
  external: ['lz4-napi', '@node-rs/crc32', 'msgpackr'],
});
