import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  treeshake: true,
  // lz4-napi is an optional native dependency: load it at run time, never bundle its .node files.
  external: ['lz4-napi', 'msgpackr'],
});
