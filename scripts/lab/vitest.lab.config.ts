// Runs the lab tests on their own, with the lab's globalSetup:
//   npx vitest run -c scripts/lab/vitest.lab.config.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/lab/**/*.test.ts'],
    globalSetup: ['test/lab/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
