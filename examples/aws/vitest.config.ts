import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'aws', include: ['__tests__/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
