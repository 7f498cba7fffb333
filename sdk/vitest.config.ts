import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'sdk', include: ['src/**/__tests__/**/*.test.ts', 'bench/**/*.test.ts'], testTimeout: 30_000 },
});
