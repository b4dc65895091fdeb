import { defineConfig } from 'vitest/config';

/**
 * Suites that measure how fast something reacts (the edge reconnecting
 * within 250 ms, a ban landing in the edge or the kernel, a kernel ban
 * timing out, a flood's counts within the flush interval, the console
 * filtering 100,000 entries within 300 ms): they run after
 * everything else, one at a time, so the browser and CLI suites do not take
 * their CPU on a two-core machine.
 */
const TIMED = [
  'test/e2e/link-loss.test.ts',
  'test/e2e/auto-ban.test.ts',
  'test/e2e/kernel-shed.test.ts',
  'test/e2e/kernel-meter.test.ts',
  'test/shed/nftables-ban-sink.test.ts',
  'test/shed/nft-source-meter.test.ts',
  'test/e2e/rate-limit.test.ts',
  'test/e2e/denied-sources.test.ts',
  'test/console/console-scale.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/e2e/global-setup.ts', 'test/console/build-console.ts'],
    // Generous: the CLI suite runs many node subprocesses at once, and on a
    // two-core machine everything else (redis-server included) slows down.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      // Suites that start servers share loopback ports and one CPU pair.
      { extends: true, test: { name: 'suites', include: ['test/**/*.test.ts'], exclude: TIMED, fileParallelism: true, maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'timed', include: TIMED, fileParallelism: false, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
