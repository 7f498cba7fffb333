import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * What a shop's bundler keeps of the browser SDK (esbuild, as bench/size.ts bundles it): the
 * `init` + `track` app must not carry the e-commerce helpers, msgpack, the slicing-by-8 CRC32C or
 * the optional features, which live behind their own exports and entry points.
 */
const sdkSrc = fileURLToPath(new URL('../../..', import.meta.url));
const alias = {
  '@shopstream/sdk/browser/ecommerce': `${sdkSrc}platform/browser/ecommerce.ts`,
  '@shopstream/sdk/browser': `${sdkSrc}platform/browser/index.ts`,
  '@shopstream/shared': `${sdkSrc}../../shared/src/index.ts`,
};

async function inputsOf(entry: string): Promise<string[]> {
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: sdkSrc, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    alias,
  });
  const [output] = Object.values(result.metafile.outputs);
  return Object.entries(output!.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
}

describe('browser bundle contents', () => {
  it('an init + track app ships no e-commerce helpers, consent, page/identify, msgpack or slicing-by-8 CRC32C', async () => {
    const inputs = await inputsOf(`import { init, track } from '@shopstream/sdk/browser'; init({ writeKey: 'k', endpoint: 'https://c.example' }); track('Product Viewed');`);
    expect(inputs.some((p) => p.includes('src/platform/browser/browser-client.ts'))).toBe(true);
    for (const unwanted of ['src/ecommerce/', 'browser/consent.ts', 'browser/calls.ts', 'msgpack', 'shared/src/crc32c.ts', 'shared/src/uuid-v7.ts', 'crypto/']) {
      expect(inputs.filter((p) => p.includes(unwanted))).toEqual([]);
    }
  });

  it('@shopstream/sdk/browser/ecommerce brings the generated helpers', async () => {
    const inputs = await inputsOf(`import { init } from '@shopstream/sdk/browser'; import { createEcommerce } from '@shopstream/sdk/browser/ecommerce'; init({ writeKey: 'k', endpoint: 'https://c.example' }); createEcommerce().productViewed({ product_id: 'tea-1' });`);
    expect(inputs.some((p) => p.includes('src/ecommerce/helpers.ts'))).toBe(true);
  });
});
