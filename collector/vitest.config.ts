import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'collector', include: ['src/**/__tests__/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
