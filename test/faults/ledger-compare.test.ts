/** The pure checks of the fault experiments: the row-by-row comparison and the stats-run overlap. */
import { describe, expect, it } from 'vitest';
import { compareWithMembership, reportedPasses } from '../../scenarios/faults/acked-agents.js';
import { overlappingRuns } from '../../scenarios/faults/ledger.js';

describe('fault experiment checks', () => {
  it('compareWithMembership: a missing row and a row holding another result are both losses', () => {
    const acknowledged = new Map([
      ['a', new Map([[1, true], [2, false]])],
      ['b', new Map([[1, false]])],
    ]);
    const rows = [
      { nodeKey: 'a', policyId: 1, passes: true },
      { nodeKey: 'a', policyId: 2, passes: true },
      { nodeKey: 'c', policyId: 1, passes: null },
    ];
    const out = compareWithMembership(acknowledged, rows);
    expect(out.compared).toBe(3);
    expect(out.lost).toEqual([
      { nodeKey: 'a', policyId: 2, acknowledged: false, stored: true },
      { nodeKey: 'b', policyId: 1, acknowledged: false, stored: undefined },
    ]);
  });

  it('reportedPasses flips on every write of a host', () => {
    for (const write of [1, 2, 3]) expect(reportedPasses(3, 7, write)).toBe(!reportedPasses(3, 7, write + 1));
  });

  it('overlappingRuns: back-to-back runs are fine, a run starting inside any earlier one is reported', () => {
    const run = (startedAt: number, durationMs: number) => ({ instance: 'i', startedAt, durationMs });
    expect(overlappingRuns([run(0, 100), run(100, 50), run(150.5, 10)])).toEqual([]);
    // The third starts inside the first (long) run though not inside the second.
    expect(overlappingRuns([run(0, 1000), run(1000, 10), run(500, 10)])).toHaveLength(1);
    expect(overlappingRuns([run(0, 1000), run(200, 10), run(500, 10)])).toHaveLength(2);
  });
});
