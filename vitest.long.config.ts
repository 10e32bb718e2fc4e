import { defineConfig } from 'vitest/config';
import { LONG_TESTS } from './vitest.long.js';

/** `npm run test:long`: the CI soak (the built-in scenarios run in `npm test`: test/scenarios/builtin/). */
export default defineConfig({
  test: {
    include: LONG_TESTS,
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
