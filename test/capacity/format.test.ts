import { describe, expect, it } from 'vitest';
import { formatPlan, stepRange } from '../../capacity/format.js';
import { planCapacity } from '../../capacity/model.js';
import { DEFAULT_PLAN_INPUT } from '../../capacity/plan-types.js';

describe('figure sources', () => {
  it('names step ranges', () => {
    expect(stepRange([3, 1, 2])).toBe('steps 1–3');
    expect(stepRange([1, 3])).toBe('steps 1, 3');
    expect(stepRange([2])).toBe('step 2');
  });
});

describe('the plan table', () => {
  it('prints label queries and scheduled-query results and rows with their sources', () => {
    const text = formatPlan(planCapacity({ ...DEFAULT_PLAN_INPUT, hosts: 36_000, scheduledQueries: 2, queryIntervalS: 600, rowsPerResult: 10 }));
    expect(text).toMatch(/label queries\s+80\.0 queries\/s\s+model: hosts × label queries per host 8 /);
    expect(text).toMatch(/scheduled-query results\s+120 lines\/s\s+model: hosts × 2 scheduled snapshot queries \/ query interval \(600 s\)/);
    expect(text).toMatch(/scheduled-query rows\s+1,200 rows\/s\s+model: result lines\/s × 10 rows per result/);
  });
});
