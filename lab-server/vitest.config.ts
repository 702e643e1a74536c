import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The browser lab's pure helpers are tested here too: it has no test runner of its own.
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', '../lab-ui/src/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
