import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
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
          hookTimeout: 60_000,
          // Each file starts its own brokers, ptys and schemas; two cores cannot take more.
          maxWorkers: 2,
        },
      },
    ],
  },
})
