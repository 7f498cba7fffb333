import { defineProject } from 'vitest/config';

// Cross-package end-to-end and fault tests: they start real processes and servers, so run one file at a time.
export default defineProject({
  test: { name: 'e2e', include: ['**/*.test.ts'], exclude: ['**/node_modules/**'], testTimeout: 180_000, hookTimeout: 120_000, fileParallelism: false },
});
