import { describe, expect, it } from 'vitest';
import { PLAN_FIGURES, labelQueriesPerSFigure, modelMembershipRowsPerS, modelRequestRates, scheduledResultsFigure, serverInstancesFigure, type PlanContext } from '../../capacity/figures.js';
import { DEFAULT_PLAN_INPUT, type PlanInput } from '../../capacity/plan-types.js';

function input(overrides: Partial<PlanInput>): PlanInput {
  return { ...DEFAULT_PLAN_INPUT, ...overrides };
}

describe('model arithmetic against hand-computed cases', () => {
  it('100,000 hosts at a 10 s distributed interval → 10,000 reads/s', () => {
    expect(modelRequestRates(input({ hosts: 100_000, distributedIntervalS: 10 })).read).toBe(10_000);
  });

  it('100,000 hosts × 100 policies at 1 h → 2,777.8 membership rows/s', () => {
    const rows = modelMembershipRowsPerS(input({ hosts: 100_000, policies: 100, policyIntervalS: 3600 }));
    expect(rows).toBeCloseTo(2777.78, 1);
  });

  it('150,000 hosts: one write per host per hour, one config per minute', () => {
    const rates = modelRequestRates(input({ hosts: 150_000, policyIntervalS: 3600, detailIntervalS: 3600, configRefreshS: 60 }));
    expect(rates.write).toBeCloseTo(41.667, 2);
    expect(rates.config).toBe(2500);
    expect(rates.log).toBe(0);
  });

  it('a shorter detail interval drives the write rate', () => {
    expect(modelRequestRates(input({ hosts: 3600, policyIntervalS: 3600, detailIntervalS: 1800 })).write).toBe(2);
  });

  it('logs only on the fraction of logger ticks that send', () => {
    expect(modelRequestRates(input({ hosts: 1000, loggerTlsPeriodS: 10, logSendFraction: 0.5 })).log).toBe(50);
  });
});

describe('figures one at a time', () => {
  const context = (overrides: Partial<PlanInput>): PlanContext => ({ input: input(overrides), sweep: undefined, sweepFile: 'sweep.json', calibration: undefined, warnings: [] });

  it('sizes instances from the CPU figure alone', () => {
    const cores = { value: 1.3, unit: 'cores', source: 'test' };
    const instances = serverInstancesFigure(context({ targetCpu: 0.6 }), { serverCpuCores: cores });
    expect(instances.value).toBe(3);
    expect(instances.source).toBe('model: ceil(1.30 cores / (min(1, 1) CPU × 60% target))');
  });

  it('names the figure it needs when the table computes it too early', () => {
    expect(() => serverInstancesFigure(context({}), {})).toThrow(/serverCpuCores is needed/);
  });

  it('are computed in an order where each figure comes after the ones it needs', () => {
    const done: Record<string, unknown> = {};
    const ctx = context({ hosts: 50_000 });
    for (const row of PLAN_FIGURES) done[row.key] = row.figure(ctx, done);
    expect(Object.keys(done)).toEqual(['requestRates', 'membershipRowsPerS', 'membershipRows', 'aggregation', 'labelQueriesPerS', 'scheduledResults', 'serverCpuCores', 'serverInstances', 'serverRssMbPerInstance', 'database']);
  });
});

describe('label and scheduled-query figures', () => {
  const context = (overrides: Partial<PlanInput>): PlanContext => ({ input: input(overrides), sweep: undefined, sweepFile: 'sweep.json', calibration: undefined, warnings: [] });

  it("defaults to Fleet's 8 built-in labels per host every hour, and says so", () => {
    expect(DEFAULT_PLAN_INPUT.labelsPerHost).toBe(8);
    const figure = labelQueriesPerSFigure(context({ hosts: 36_000 }));
    expect(figure.value).toBe(80); // 36,000 × 8 / 3600
    expect(figure.source).toContain("Fleet's 8 built-in labels");
    expect(figure.source).toContain('label_update_interval (3600 s)');
  });

  it('scales with --labels and the label interval', () => {
    const figure = labelQueriesPerSFigure(context({ hosts: 1800, labelsPerHost: 12, labelIntervalS: 1800 }));
    expect(figure.value).toBe(12);
    expect(figure.source).toContain('12 (--labels)');
  });

  it('logs nothing with the default empty schedule, and says why', () => {
    const results = scheduledResultsFigure(context({ hosts: 100_000 }));
    expect(results.linesPerS.value).toBe(0);
    expect(results.rowsPerS.value).toBe(0);
    expect(results.linesPerS.source).toContain('empty schedule');
  });

  it('counts one result line per query run and its rows', () => {
    const results = scheduledResultsFigure(context({ hosts: 3600, scheduledQueries: 5, queryIntervalS: 600, rowsPerResult: 40 }));
    expect(results.linesPerS.value).toBeCloseTo(30, 9); // 3600 × 5 / 600
    expect(results.rowsPerS.value).toBeCloseTo(1200, 9); // × 40 rows
  });
});
