import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts', 'test/console/build-console.ts'],
    // Generous: the CLI suite runs many node subprocesses at once, and on a
    // two-core machine everything else (redis-server included) slows down.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Suites that start servers share loopback ports and one CPU pair.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
