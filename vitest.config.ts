import { defineConfig } from 'vitest/config';
import { LONG_TESTS } from './vitest.long.js';
import { BuiltinFirstSequencer } from './vitest.sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The 60 s soak runs with `npm run test:long` (vitest.long.config.ts), not in `npm test`: see
    // docs/RELIABILITY.md. Every built-in scenario runs here, in miniature, on both stores.
    exclude: ['**/node_modules/**', ...LONG_TESTS],
    // The built-in scenario files first, longest first (vitest.sequencer.ts).
    sequence: { sequencer: BuiltinFirstSequencer },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // MySQL suites share one database; files run in parallel but each suite uses its own schema name.
    pool: 'forks',
    // Two files at a time: most end-to-end files wait on servers, timers and sockets (CI's load average
    // stays near 1 with one file at a time), and one at a time on 2 cores took ~25 min.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
