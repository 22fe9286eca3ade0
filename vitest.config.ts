import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure functions, real local shell and a loopback sshd) and `lab` (real
// Debian hosts booted once for the whole run by test/lab/global-setup.ts).
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'modules/**/*.test.ts', 'lab/**/*.test.ts', 'test/engine/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/ssh/**/*.test.ts', 'bench/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts', 'test/lab-*/**/*.test.ts', 'test/modules/**/*.test.ts', 'test/stack/**/*.test.ts', 'test/drift/**/*.test.ts'],
          globalSetup: ['test/lab/global-setup.ts'],
          // files share the lab's hosts (and their apt lock): one file at a time keeps runs deterministic
          fileParallelism: false,
        },
      },
    ],
  },
});
