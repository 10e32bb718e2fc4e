import { defineConfig } from 'vitest/config';
import { LONG_TESTS } from './vitest.long.js';

/** `npm run test:long`: the built-in scenarios on both stores and the CI soak, one file at a time. */
export default defineConfig({
  test: {
    include: LONG_TESTS,
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
