import { describe, expect, it } from 'vitest';
import { fleetReferenceFor } from '../../capacity/fleet-reference.js';
import { formatPlan, planRows } from '../../capacity/format.js';
import { planCapacity, validatePlanInput } from '../../capacity/model.js';
import { DEFAULT_PLAN_INPUT, type PlanInput } from '../../capacity/plan-types.js';
import { sweepOf, sweepStep as step } from './fixtures.js';

function input(overrides: Partial<PlanInput>): PlanInput {
  return { ...DEFAULT_PLAN_INPUT, ...overrides };
}

describe('capacity plan without a sweep', () => {
  const plan = planCapacity(input({ hosts: 150_000, policies: 80, teams: 10 }));

  it('carries the hand-computed figures', () => {
    expect(plan.requestRates.read.value).toBe(15_000);
    expect(plan.membershipRowsPerS.value).toBeCloseTo((150_000 * 80) / 3600, 6);
    expect(plan.membershipRows.value).toBe(12_000_000);
    // cron with teams: two passes over 12M rows at the 1M rows/s default = 24 s.
    expect(plan.aggregation.cron.value).toBeCloseTo(24_000, 6);
    expect(plan.aggregation.realtime.value).toBeCloseTo(12_000, 6);
    expect(plan.database.seenTimeRowsPerS.value).toBe(15_000);
    // Vitals: 150k hosts / 3600 s × (453 software + 20 users + 6) carried; 20 users + disk + host row written.
    expect(plan.database.vitalsRowsPerS.value).toBeCloseTo((150_000 / 3600) * 479, 6);
    expect(plan.database.rowsWrittenPerS.value).toBeCloseTo(
      plan.membershipRowsPerS.value + plan.requestRates.write.value + 15_000 + (150_000 / 3600) * 22 + (150_000 / 3600) * 4,
      6,
    );
    expect(planCapacity(input({ hosts: 150_000, detailIntervalS: 7200 })).database.vitalsRowsPerS.value).toBeCloseTo((150_000 / 7200) * 479, 6);
  });

  it('projects label queries and scheduled-query results beside the vitals', () => {
    expect(plan.labelQueriesPerS.value).toBeCloseTo((150_000 * 8) / 3600, 6);
    expect(plan.scheduledResults.rowsPerS.value).toBe(0);
    const withQueries = planCapacity(input({ hosts: 150_000, scheduledQueries: 10, queryIntervalS: 3600, rowsPerResult: 5 }));
    expect(withQueries.scheduledResults.linesPerS.value).toBeCloseTo((150_000 * 10) / 3600, 6);
    expect(withQueries.scheduledResults.rowsPerS.value).toBeCloseTo((150_000 * 50) / 3600, 6);
    expect(withQueries.assumptions.join('\n')).toContain('10 snapshot queries per host every 3600 s, 5 rows per result');
  });

  it('writes one label_membership row per matched label and one hosts update per label run', () => {
    // Default: 3 built-in labels matched + the hosts row, once an hour.
    expect(plan.database.labelRowsPerS.value).toBeCloseTo((150_000 / 3600) * 4, 6);
    expect(plan.database.labelRowsPerS.source).toContain("at most 3 of Fleet's built-in labels match a host");
    const halfHour = planCapacity(input({ hosts: 150_000, labelIntervalS: 1800, labelMemberships: 1 }));
    expect(halfHour.database.labelRowsPerS.value).toBeCloseTo((150_000 / 1800) * 2, 6);
    expect(halfHour.database.statementsPerS.value - planCapacity(input({ hosts: 150_000, labelIntervalS: 3600, labelMemberships: 1 })).database.statementsPerS.value).toBeCloseTo(
      (150_000 / 3600) * 2,
      6,
    );
  });

  it('names the label and scheduled-query flags in input problems', () => {
    const problems = validatePlanInput(input({ labelIntervalS: 0, queryIntervalS: -1, labelsPerHost: 1.5, labelMemberships: 1, scheduledQueries: -2, rowsPerResult: Number.NaN }));
    expect(problems.map((p) => p.option).sort()).toEqual(['--label-update-interval', '--labels', '--query-interval', '--rows-per-result', '--scheduled-queries']);
    const tooMany = validatePlanInput(input({ labelsPerHost: 2, labelMemberships: 3 }));
    expect(tooMany).toEqual([{ option: '--label-memberships', reason: 'must be at most --labels (2): a host is a member only of labels it runs (got 3)' }]);
  });

  it('sizes instances from CPU at the target utilisation', () => {
    const cores = plan.serverCpuCores.value;
    expect(plan.serverInstances.value).toBe(Math.ceil(cores / 0.6));
    const busier = planCapacity(input({ hosts: 150_000, policies: 80, targetCpu: 0.3 }));
    expect(busier.serverInstances.value).toBeGreaterThan(plan.serverInstances.value);
  });

  it('gives every figure a source, and says it is unmeasured', () => {
    expect(plan.measured).toBe(false);
    for (const [name, figure] of planRows(plan)) {
      expect(figure.source, name).toMatch(/^(model: |measured: |default: |Σ |sum of |= )/);
      expect(Number.isFinite(figure.value), name).toBe(true);
    }
    expect(plan.aggregation.cron.source).toContain('unmeasured');
    const text = formatPlan(plan);
    expect(text).toContain('UNMEASURED');
    expect(text).toContain('Assumptions:');
  });

  it("puts Fleet's published sizing beside it as a sanity column", () => {
    expect(plan.fleetReference.servers).toContain('20 tasks');
    expect(plan.serverInstances.fleet).toContain('Reference-Architectures');
    expect(plan.requestRates.total.fleet).toContain('0.134');
    expect(fleetReferenceFor(800).database).toContain('db.t4g.medium');
    expect(fleetReferenceFor(25_000).database).toContain('db.r6g.large');
    expect(fleetReferenceFor(300_000).database).toContain('16xlarge');
    expect(fleetReferenceFor(400_000).servers).toContain('beyond');
  });

  it('rejects impossible input with every problem at once', () => {
    expect(() => planCapacity(input({ hosts: 0, targetCpu: 1.5 }))).toThrow(/--hosts must be > 0 \(got 0\); --target-cpu must be in \(0, 1\]/);
  });

  it('warns that a multi-core instance does not help one Node.js process', () => {
    expect(planCapacity(input({ instanceCpus: 4 })).warnings.join()).toMatch(/one core/);
  });
});

describe('capacity plan from a sweep', () => {
  const sweep = sweepOf([step(1, 1000), step(2, 2000), step(3, 4000), step(4, 8000, { generator: { saturated: true, warnings: ['cpu'], cpu_pct: 99 } })]);

  it('projects with measured figures that name their steps', () => {
    const plan = planCapacity(input({ hosts: 100_000, policies: 10, distributedIntervalS: 10 }), sweep, 'sweep.json');
    expect(plan.measured).toBe(true);
    expect(plan.requestRates.read.value).toBeCloseTo(9800, 6);
    expect(plan.requestRates.read.source).toBe('measured: sweep.json steps 1–3 (0.980 requests per host per interval) × hosts / distributed_interval');
    expect(plan.aggregation.cron.value).toBeCloseTo(20 + 1_000_000 / 1000, 6);
    expect(plan.aggregation.cron.source).toContain('measured: sweep.json steps 1–3');
    // Strategies the sweep did not run stay on the default, and say so.
    expect(plan.aggregation.incremental.source).toMatch(/^default: .*unmeasured/);
    expect(plan.serverCpuCores.source).toContain('read 0.100 CPU-ms/req measured: sweep.json steps 1–3');
    expect(plan.assumptions.join('\n')).toContain('1 sweep step(s) left out');
    expect(plan.warnings.join()).toMatch(/extrapolation/);
  });
});

describe('capacity plan from a sweep without per-endpoint CPU', () => {
  it("uses the whole-server CPU fit, names the sweep's request mix, and warns when the plan's mix differs", () => {
    const withoutSplit = (index: number, hosts: number) => {
      const s = step(index, hosts);
      for (const endpoint of Object.values(s.endpoints)) endpoint!.cpu_ms_per_req = null;
      return s;
    };
    const sweep = sweepOf([withoutSplit(1, 1000), withoutSplit(2, 2000), withoutSplit(3, 4000)]);
    const same = planCapacity(input({ hosts: 8000, policies: 10, policyIntervalS: 60, detailIntervalS: 60 }), sweep, 'sweep.json');
    // fixture: CPU-ms/s = 50 + 0.2 × (reads + writes) while it reports 0.98 × reads + writes as requests/s
    const slope = (0.2 * (1 / 10 + 1 / 60)) / (0.98 / 10 + 1 / 60);
    expect(same.serverCpuCores.value).toBeCloseTo((50 + slope * same.requestRates.total.value) / 1000, 6);
    expect(same.serverCpuCores.source).toMatch(/on the sweep's mix 85% read, 15% write/);
    expect(same.warnings.join()).not.toMatch(/mix|requests were/);
    const hourly = planCapacity(input({ hosts: 8000, policies: 10 }), sweep, 'sweep.json');
    expect(hourly.warnings.join()).toMatch(/sweep's requests were 85% read, 15% write but this plan's are .*no CPU probe/);
  });
});

describe('capacity plan from a sweep with a CPU probe', () => {
  const withoutSplit = (index: number, hosts: number) => {
    const s = step(index, hosts);
    for (const endpoint of Object.values(s.endpoints)) endpoint!.cpu_ms_per_req = null;
    return s;
  };
  const probe = {
    hosts: 200, seconds: 8, rate_per_s: 400, idle_cpu_ms_per_s: 30,
    endpoints: { read: { requests: 3200, rate_per_s: 400, cpu_ms_per_req: 0.05 }, write: { requests: 3200, rate_per_s: 400, cpu_ms_per_req: 0.8 }, config: { requests: 3200, rate_per_s: 400, cpu_ms_per_req: 0.1 } },
  };

  it("re-weights the whole-server fit for the plan's mix with the probe's relative endpoint costs", () => {
    const sweep = { ...sweepOf([withoutSplit(1, 1000), withoutSplit(2, 2000)]), cpu_probe: probe };
    const plan = planCapacity(input({ hosts: 100_000, policies: 10 }), sweep, 'sweep.json');
    const r = plan.requestRates;
    // Fixture fit: 50 CPU-ms/s + b per request on a mix of reads (0.98/10 per host) and writes (1/60 per host).
    const b = (0.2 * (1 / 10 + 1 / 60)) / (0.98 / 10 + 1 / 60);
    const readShare = 0.98 / 10 / (0.98 / 10 + 1 / 60);
    const sweepAverage = readShare * 0.05 + (1 - readShare) * 0.8;
    const planAverage = (r.read.value * 0.05 + r.write.value * 0.8 + r.config.value * 0.1 + r.log.value * sweepAverage) / r.total.value;
    expect(plan.serverCpuCores.value).toBeCloseTo((50 + b * (planAverage / sweepAverage) * r.total.value) / 1000, 9);
    expect(plan.serverCpuCores.source).toMatch(/on the sweep's mix 85% read, 15% write\) × 0\.\d+ for this plan's mix .* from the CPU probe's relative costs \(read 0\.050, write 0\.800, config 0\.100 CPU-ms\/req at 400 req\/s\)/);
    expect(plan.warnings.join()).not.toMatch(/requests were/);
  });

  it('with a probe but no fit, charges idle CPU plus each endpoint at its probed cost', () => {
    const single = withoutSplit(1, 1000);
    const sweep = { ...sweepOf([{ ...single, server: null }]), cpu_probe: probe };
    const plan = planCapacity(input({ hosts: 100_000, policies: 10 }), sweep, 'sweep.json');
    const r = plan.requestRates;
    expect(plan.serverCpuCores.value).toBeCloseTo((30 + r.read.value * 0.05 + r.write.value * 0.8 + r.config.value * 0.1) / 1000, 9);
    expect(plan.serverCpuCores.source).toContain('idle 30.0 CPU-ms/s measured: sweep.json CPU probe');
    expect(plan.serverCpuCores.source).toContain('write 0.800 CPU-ms/req measured: sweep.json CPU probe (400 req/s of write alone, above idle)');
  });
});

describe('plan input problems', () => {
  it('come as { option, reason } pairs under the flag a user types, or input.<key> where no flag sets it', () => {
    expect(validatePlanInput(input({ distributedIntervalS: 0, loggerTlsPeriodS: -1, teams: 1.5 }))).toEqual([
      { option: '--distributed-interval', reason: 'must be > 0 (got 0)' },
      { option: 'input.loggerTlsPeriodS', reason: 'must be > 0 (got -1)' },
      { option: '--teams', reason: 'must be a whole number ≥ 0 (got 1.5)' },
    ]);
    expect(validatePlanInput(input({}))).toEqual([]);
  });
});
