import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS and ESM without an exports map: Node loads the CJS build, Vite would pick
    // the ESM one for inlined files, and two copies break `instanceof` checks inside graphql-js.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Runs beside the integration files, in the same group: vitest wants the same worker count.
          maxWorkers: 3,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/helpers/demo-vendor-template.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // These files mostly wait (child processes, loopback servers, health checks), not compute:
          // three at a time on two cores instead of vitest's default of cores - 1 = one at a time.
          maxWorkers: 3,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/helpers/demo-vendor-template.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // The browser runs alone, after the other projects, one file at a time.
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
