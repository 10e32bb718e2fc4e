/**
 * Validation of the capacity model (not a test): sweep a scenario up to N/4 hosts, project
 * to N with `osqsim capacity plan`'s model, then measure N and report the projection error per figure.
 *
 *   npx tsx bench/capacity-validation.ts [--scenario bench/capacity-validation.yaml] [--hosts 8000] [--steps 3]
 *                                        [--warmup 40s] [--measure 30s] [--store memory|mysql://…] [--json]
 *
 * Budgets: request rates within 5%, server CPU within 20%, aggregation duration within 25%.
 * Prints a table; with --json one object {bench, machine, params, results} (no ratio: no baseline).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { STATS_STRATEGIES, type StatsStrategyName } from '../contract/vocabulary.js';
import { resolveScenarioPath } from '../scenarios/builtin.js';
import { median } from '../capacity/fit.js';
import { planCapacity } from '../capacity/model.js';
import { DEFAULT_PLAN_INPUT, type PlanInput } from '../capacity/plan-types.js';
import { PLAN_ENDPOINTS, type SweepDocument } from '../capacity/sweep-document.js';
import { runSweep } from '../capacity/sweep.js';
import { freshDatabase } from './fresh-database.js';
import { defineBench, durationMs, option, optional, positiveInt, text } from './harness.js';

interface ValidationFigure {
  figure: string;
  projected: number;
  measured: number;
  /** |projected − measured| ÷ measured, percent. */
  error_pct: number;
  budget_pct: number;
  ok: boolean;
  source: string;
}

const BUDGET = { rate: 5, cpu: 20, aggregation: 25 } as const;

function figure(name: string, projected: number, measured: number, budget: number, source: string): ValidationFigure {
  const error = measured === 0 ? (projected === 0 ? 0 : Infinity) : (Math.abs(projected - measured) / measured) * 100;
  return { figure: name, projected, measured, error_pct: error, budget_pct: budget, ok: error <= budget, source };
}

/** Plan input that describes the sweep's scenario at `hosts` hosts (intervals and policies as measured). */
function planInputFor(sweep: SweepDocument, hosts: number): PlanInput {
  const largest = sweep.steps[sweep.steps.length - 1]!;
  return {
    ...DEFAULT_PLAN_INPUT,
    hosts,
    // Policies in scope per host as the hosts reported them (platform-scoped policies do not reach every host).
    policies: Math.max(0, Math.round(largest.membership_rows / largest.hosts)),
    teams: 0,
    distributedIntervalS: sweep.params.distributed_interval_s,
    policyIntervalS: sweep.params.policy_interval_s,
    detailIntervalS: sweep.params.policy_interval_s,
    configRefreshS: sweep.params.config_refresh_s,
    loggerTlsPeriodS: sweep.params.logger_tls_period_s,
    statsIntervalS: sweep.params.stats_interval_s ?? DEFAULT_PLAN_INPUT.statsIntervalS,
  };
}

function compareProjection(projectionSweep: SweepDocument, measuredSweep: SweepDocument, hosts: number): ValidationFigure[] {
  const plan = planCapacity(planInputFor(projectionSweep, hosts), projectionSweep, 'sweep');
  const measured = measuredSweep.steps[0]!;
  const figures: ValidationFigure[] = [];
  for (const endpoint of PLAN_ENDPOINTS) {
    const actual = measured.endpoints[endpoint]?.rate_per_s ?? 0;
    const projected = plan.requestRates[endpoint].value;
    if (actual === 0 && projected === 0) continue;
    figures.push(figure(`${endpoint} req/s`, projected, actual, BUDGET.rate, plan.requestRates[endpoint].source));
  }
  figures.push(figure('all req/s', plan.requestRates.total.value, measured.requests_per_s, BUDGET.rate, plan.requestRates.total.source));
  if (measured.server) {
    figures.push(figure('server CPU (cores)', plan.serverCpuCores.value, measured.server.cpu_ms / measured.measured_s / 1000, BUDGET.cpu, plan.serverCpuCores.source));
  }
  const named = measuredSweep.params.stats_strategy ?? 'cron';
  if (!(STATS_STRATEGIES as readonly string[]).includes(named)) throw new Error(`the sweep used an unknown count strategy "${named}"`);
  const strategy = named as StatsStrategyName;
  const runs = measured.aggregations.filter((run) => run.strategy === strategy);
  if (runs.length > 0) {
    // Projected at the rows the measured step really had, so the figure tests the fit, not the policy count.
    const rows = median(runs.map((run) => run.rows));
    const actual = median(runs.map((run) => run.duration_ms));
    const rowsPlan = planCapacity({ ...planInputFor(projectionSweep, hosts), policies: 1, hosts: Math.max(1, Math.round(rows)) }, projectionSweep, 'sweep');
    figures.push(figure(`aggregation ${strategy} median (ms @ ${Math.round(rows)} rows)`, rowsPlan.aggregation[strategy].value, actual, BUDGET.aggregation, rowsPlan.aggregation[strategy].source));
  }
  return figures;
}

/** A mysql:// store gets an empty database before each sweep, so the two sweeps start alike. */
async function freshStore(store: string | undefined): Promise<void> {
  if (store !== undefined && store.startsWith('mysql://')) await freshDatabase(store);
}

interface ValidationParams {
  scenario: string;
  hosts: number;
  sweep_hosts: number[];
  warmup_s: number;
  measure_s: number;
  store: string;
}

await defineBench({
  name: 'capacity-validation',
  description: "Sweep up to N/4 hosts, project N with the capacity model, measure N, report each figure's error",
  params: {
    scenario: option('--scenario <file>', 'scenario to sweep', text, 'bench/capacity-validation.yaml'),
    hosts: option('--hosts <n>', 'N: the projected and measured size', positiveInt, '8000'),
    steps: option('--steps <n>', 'sweep steps up to N/4 (each doubles)', positiveInt, '3'),
    warmup: option('--warmup <duration>', 'excluded start of each step', durationMs, '40s'),
    measure: option('--measure <duration>', 'measured window of each step', durationMs, '30s'),
    store: optional('--store <spec>', 'memory (default) or mysql://…/db (emptied before each sweep)', text),
    workers: optional('--workers <n>', 'simulator worker threads', positiveInt),
    out: option('--out <dir>', 'where the two sweep documents are written', text, 'bench/out'),
  },
  async run(values, log) {
    const { hosts, steps } = values;
    const common = {
      scenarioFile: resolveScenarioPath(values.scenario),
      until: [] as string[],
      warmupMs: values.warmup,
      measureMs: values.measure,
      ...(values.store ? { store: values.store } : {}),
      ...(values.workers ? { workers: values.workers } : {}),
      onProgress: log,
    };
    const quarter = Math.max(1, Math.round(hosts / 4));
    const from = Math.max(1, Math.round(quarter / 2 ** (steps - 1)));
    log(`validation: sweep ${from} → ${quarter} hosts (${steps} steps), project to ${hosts}, then measure ${hosts}`);
    await freshStore(values.store);
    const projectionSweep = await runSweep({ ...common, from, to: quarter, steps });
    await freshStore(values.store);
    const measuredSweep = await runSweep({ ...common, from: hosts, to: hosts, steps: 1, cpuProbe: false });
    mkdirSync(values.out, { recursive: true });
    writeFileSync(join(values.out, 'capacity-validation-sweep.json'), `${JSON.stringify(projectionSweep, null, 2)}\n`);
    writeFileSync(join(values.out, 'capacity-validation-measured.json'), `${JSON.stringify(measuredSweep, null, 2)}\n`);
    const figures = compareProjection(projectionSweep, measuredSweep, hosts);
    const saturated = [...projectionSweep.steps, ...measuredSweep.steps].some((step) => step.generator.saturated);
    const params: ValidationParams = {
      scenario: values.scenario,
      hosts,
      sweep_hosts: projectionSweep.steps.map((step) => step.hosts),
      warmup_s: common.warmupMs / 1000,
      measure_s: projectionSweep.params.measure_s,
      store: projectionSweep.store,
    };
    return { params, results: { figures, all_within_budget: figures.every((f) => f.ok), generator_saturated: saturated } };
  },
  format(doc) {
    const { params, results } = doc;
    const rows = results.figures.map((f) => [f.figure, f.projected.toFixed(f.projected >= 100 ? 0 : 3), f.measured.toFixed(f.measured >= 100 ? 0 : 3), `${f.error_pct.toFixed(1)}%`, `${f.budget_pct}%`, f.ok ? 'ok' : 'OVER']);
    const header = ['figure', 'projected', `measured @ ${params.hosts}`, 'error', 'budget', ''];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
    return [
      `capacity-validation: ${params.scenario}, sweep ${params.sweep_hosts.join(' → ')} → projected and measured at ${params.hosts} hosts; store ${params.store}; ${doc.machine.cpus} × ${doc.machine.cpu_model}`,
      line(header),
      ...rows.map(line),
      ...(results.generator_saturated ? ['WARNING: the generator saturated in at least one step'] : []),
    ].join('\n');
  },
}).main();
