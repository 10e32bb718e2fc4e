import { defineConfig } from 'vitest/config';
import { BuiltinFirstSequencer } from './vitest.sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Everything runs here: the soak's 3-minute variant and every built-in scenario in miniature, on
    // both stores (docs/RELIABILITY.md).
    exclude: ['**/node_modules/**'],
    // The built-in scenario files first, longest first; the soak last (vitest.sequencer.ts).
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
