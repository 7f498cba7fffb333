import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'examples', include: ['**/__tests__/**/*.test.ts'], exclude: ['**/node_modules/**'] },
});
