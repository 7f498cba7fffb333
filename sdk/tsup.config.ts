import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { browser: 'src/platform/browser/index.ts' },
    format: ['esm'],
    platform: 'browser',
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'es2020',
    treeshake: true,
    splitting: true,
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
