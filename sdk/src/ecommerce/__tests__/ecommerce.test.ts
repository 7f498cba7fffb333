import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createEcommerce } from '../helpers.js';

describe('e-commerce helpers', () => {
  it('track the catalog name with the schema version stamped', async () => {
    const calls: unknown[][] = [];
    const shop = createEcommerce({ track: async (...args) => void calls.push(args) });
    await shop.orderCompleted({ order_id: 'o-1', total: 12.5 }, { userId: 'u-1' });
    await shop.productViewed({ product_id: 'sku-1' });
    expect(calls).toEqual([
      ['Order Completed', { order_id: 'o-1', total: 12.5 }, { userId: 'u-1', schema: { name: 'Order Completed', version: '1.1.0' } }],
      ['Product Viewed', { product_id: 'sku-1' }, { schema: { name: 'Product Viewed', version: '1.0.0' } }],
    ]);
  });

  it('make misspelled, missing or mistyped properties compile errors (tsc on typed-calls.ts)', () => {
    const sdkRoot = fileURLToPath(new URL('../../../', import.meta.url));
    const file = fileURLToPath(new URL('./typed-calls.ts', import.meta.url));
    let output = '';
    try {
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '--strict', '--skipLibCheck', '--module', 'esnext', '--moduleResolution', 'bundler', '--target', 'es2022', '--types', 'node', file], { cwd: sdkRoot, encoding: 'utf8' });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    }
    // Each @ts-expect-error is used (no "Unused" error), and nothing else fails.
    expect(output).toBe('');
  }, 60_000);
});
