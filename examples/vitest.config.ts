import { defineProject } from 'vitest/config';

export default defineProject({
  // examples/aws is its own project (own node_modules, longer timeouts): see ../vitest.config.ts.
  test: { name: 'examples', include: ['**/__tests__/**/*.test.ts'], exclude: ['**/node_modules/**', 'aws/**'] },
});
