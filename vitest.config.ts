import { defineConfig } from 'vitest/config';

// One runner for the whole monorepo: each package keeps its own project config.
export default defineConfig({
  test: {
    projects: ['shared', 'sdk', 'collector', 'examples', 'examples/aws', 'test'],
  },
});
