/** When CI runs a built-in scenario's miniature twice (test/scenarios/builtin-pass-suite.ts): only latency failures the run blamed on its own generator. */
import { describe, expect, it } from 'vitest';
import { failedOnGeneratorLatencyOnly, type BuiltinOutcome } from './builtin-pass-suite.js';

const saturated = 'WARNING: saturated side: generator: GENERATOR SATURATED: worker event-loop delay p99 ≥ 200 ms';
const outcome = (failed: string[], output: string, code = 3): BuiltinOutcome => ({ name: 'x', code, failed, output });

describe('failedOnGeneratorLatencyOnly', () => {
  it('excuses latency limits only, and only when the run judged its generator saturated', () => {
    expect(failedOnGeneratorLatencyOnly(outcome(['read.p99 < 200ms (258.047)'], saturated))).toBe(true);
    expect(failedOnGeneratorLatencyOnly(outcome(['read.p99 < 200ms (258.047)', 'write.p95 < 500ms (612)'], saturated))).toBe(true);
    expect(failedOnGeneratorLatencyOnly(outcome(['read.p99 < 200ms (258.047)'], 'saturated side: target'))).toBe(false);
    expect(failedOnGeneratorLatencyOnly(outcome(['read.p99 < 200ms (258.047)'], 'saturated side: none'))).toBe(false);
  });

  it('never excuses counts, errors, missing data or a crash', () => {
    expect(failedOnGeneratorLatencyOnly(outcome(['read.p99 < 200ms (258)', 'counts.error.max == 0 (1)'], saturated))).toBe(false);
    expect(failedOnGeneratorLatencyOnly(outcome(['errors.rate < 0.1% (0.5)'], saturated))).toBe(false);
    expect(failedOnGeneratorLatencyOnly(outcome(['write.p99 < 2s (no data)'], saturated))).toBe(false);
    expect(failedOnGeneratorLatencyOnly(outcome(['no result written'], saturated, 1))).toBe(false);
    expect(failedOnGeneratorLatencyOnly(outcome([], saturated, 1))).toBe(false);
  });
});
