import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { browser: 'src/platform/browser/index.ts', 'browser-ecommerce': 'src/platform/browser/ecommerce.ts' },
    format: ['esm'],
    platform: 'browser',
    dts: true,
    sourcemap: true,
    clean: false,
    // ES2022: object spread, `??=` and class fields stay as written (es2020 would downlevel `??=`).
    target: 'es2022',
    treeshake: true,
    splitting: true,
    // Inline shared's source modules: shared's dist is one file that imports msgpackr, which a
    // shop's bundler cannot drop (msgpackr is not side-effect free): 18 KB instead of 6 KB gzip.
    noExternal: ['@shopstream/shared'],
    esbuildOptions(options) {
      options.alias = { '@shopstream/shared': '../shared/src/index.ts' };
      // Constants folded and inlined as esbuild does when minifying (`365 * 24 * 3600`, the frame
      // header's numbers), names and layout kept readable: the shop's bundler minifies the rest.
      options.minifySyntax = true;
    },
  },
  {
    entry: { node: 'src/platform/node/index.ts' },
    format: ['esm', 'cjs'],
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'node20',
  },
]);
