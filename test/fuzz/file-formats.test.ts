/**
 * Fuzzing every file format osqsim reads (issue 16 item 4): scenario YAML, fleetctl YAML, result
 * JSON for `report merge` and `report compare`, and sweep files for `capacity plan --from`. Bad
 * input exits 2 with a message (compare may exit 3 for a regression), never 1 or a throw. CI
 * budget (docs/RELIABILITY.md "Fuzzing"): 1,000 cases per JSON format, 300 per YAML format (the
 * YAML parser takes ≈ 40 ms on the large and deeply nested texts the generators make).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FILE_TARGETS, checkFileCase, scratchDir } from '../../bench/fuzz/files.js';

const RUNS: Readonly<Record<string, number>> = { 'scenario YAML (osqsim scenario validate)': 300, 'fleetctl YAML (osqsim policies apply)': 300 };

describe('file formats (fuzz)', () => {
  for (const target of FILE_TARGETS) {
    const scratch = scratchDir();
    afterAll(() => scratch.remove());
    it(`${target.name}: bad input exits 2 with a message, never 1 or a crash`, async () => {
      await fc.assert(
        fc.asyncProperty(target.texts(), async (text) => {
          expect(await checkFileCase(target, scratch.dir, text)).toBeUndefined();
        }),
        { numRuns: RUNS[target.name] ?? 1_000, endOnFailure: true },
      );
    }, 120_000);
  }
});
