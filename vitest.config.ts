import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // MySQL suites share one database; files run in parallel but each suite uses its own schema name.
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
