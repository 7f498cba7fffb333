#!/usr/bin/env node
// Bundles the storefront (src/main.ts + the browser SDK) with esbuild into dist/, next to its
// index.html and styles.css. `--watch` rebuilds on change.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const here = import.meta.dirname;
const outdir = join(here, 'dist');
mkdirSync(outdir, { recursive: true });
for (const file of ['index.html', 'styles.css']) copyFileSync(join(here, file), join(outdir, file));

const options = {
  entryPoints: [join(here, 'src', 'main.ts')],
  outfile: join(outdir, 'main.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  minify: true,
  conditions: ['browser'],
  logLevel: 'warning',
};

if (process.argv.includes('--watch')) {
  const context = await esbuild.context(options);
  await context.watch();
  console.log(`watching ${options.entryPoints[0]} -> ${options.outfile}`);
} else {
  const result = await esbuild.build({ ...options, metafile: true });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  console.log(`storefront built: ${outdir} (${(bytes / 1024).toFixed(1)} KiB)`);
}
