import { defineConfig } from 'vitest/config';

// Integration and browser tests share one PostgreSQL server and one Redis; each test file gets its own
// database (tests/helpers/db.ts), so files may run in parallel, but the 2-core machine favours few workers.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    fileParallelism: true,
  },
});
