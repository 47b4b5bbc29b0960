import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    reporters: ['default', './tests/support/flaky-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'protocol/**/src/**/*.test.ts',
            'drivers/**/src/**/*.test.ts',
            'kiosk/**/src/**/*.test.ts',
            'fleet-server/**/src/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**'],
          testTimeout: 10_000,
          // Opening and migrating an in-memory PGlite takes 10–15 s when the shared machine is busy.
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.int.test.ts', 'tests/e2e/**/*.e2e.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 60_000,
          // A file's beforeAll starts its brokers, databases (PGlite migrating all its migrations) and
          // repositories; beside a browser running face models that took over 60 s (kiosk-launcher in
          // CI), and a failed hook is not retried.
          hookTimeout: 180_000,
          // Each file starts its own brokers, ptys and schemas; two cores cannot take more.
          maxWorkers: 2,
          // One retry: on a shared machine a test waiting for a broker, a database and a browser at
          // once can miss a deadline; a real regression fails twice. Retried passes are listed at
          // the end of the run (tests/support/flaky-reporter.ts) so each flake is still fixed.
          retry: 1,
        },
      },
    ],
  },
})
