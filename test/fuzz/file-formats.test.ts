/**
 * Fuzzing every file format osqsim reads (issue 16 item 4): scenario YAML, fleetctl YAML, result
 * JSON for `report merge` and `report compare`, and sweep files for `capacity plan --from`. Bad
 * input exits 2 with a message (compare may exit 3 for a regression), never 1 or a throw. CI
 * budget (docs/RELIABILITY.md "Fuzzing"): 1,000 cases per format; scratch files in /dev/shm.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FILE_TARGETS, checkFileCase, scratchDir } from '../../bench/fuzz/files.js';

const RUNS = 1_000;

describe('file formats (fuzz)', () => {
  const tally: string[] = [];
  afterAll(() => console.log(`fuzz cases, file formats: ${tally.length * RUNS} over ${tally.length} formats\n${tally.join('\n')}`));
  for (const target of FILE_TARGETS) {
    const scratch = scratchDir();
    afterAll(() => scratch.remove());
    it(`${target.name}: ${RUNS} cases, bad input exits 2 with a message, never 1 or a crash`, async () => {
      const started = Date.now();
      let cases = 0;
      await fc.assert(
        fc.asyncProperty(target.texts(), async (text) => {
          cases++;
          expect(await checkFileCase(target, scratch.dir, text)).toBeUndefined();
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
      expect(cases).toBe(RUNS);
      tally.push(`  ${String(cases).padStart(5)} cases ${String(Date.now() - started).padStart(6)} ms  ${target.name}`);
    }, 180_000);
  }
});
