import { describe, expect, it } from 'vitest';
import { batchUrl } from '../batch-url.js';

describe('Node endpoint', () => {
  it('appends /v1/batch to a base URL (empty path or /) and keeps any other path as given', () => {
    expect(batchUrl('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787/v1/batch');
    expect(batchUrl('http://127.0.0.1:8787/')).toBe('http://127.0.0.1:8787/v1/batch');
    expect(batchUrl('https://collect.example.com/?region=eu')).toBe('https://collect.example.com/v1/batch?region=eu');
    expect(batchUrl('http://127.0.0.1:8787/v1/batch')).toBe('http://127.0.0.1:8787/v1/batch');
    expect(batchUrl('https://proxy.example.com/shopstream/v1/batch')).toBe('https://proxy.example.com/shopstream/v1/batch');
    expect(batchUrl('not a url')).toBe('not a url');
  });
});
