import { defineConfig } from 'vitest/config';

// Tests import workspace packages through their `source` export condition, so they run
// against src/ without a build; the CLI and worker-thread tests use the built dist/.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The default reporter's closing lines, then every skipped test with its reason.
    reporters: ['default', './test/skip-reporter.ts'],
  },
});
