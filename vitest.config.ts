import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Suites that start servers share loopback ports and one CPU pair.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
