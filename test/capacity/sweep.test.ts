import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../../cli/index.js';
import { RESULT_SCHEMA, type ResultDocument } from '../../contract/result.js';
import { calibrate } from '../../capacity/calibrate.js';
import { planCapacity } from '../../capacity/model.js';
import { DEFAULT_PLAN_INPUT } from '../../capacity/plan-types.js';
import {
  buildStep,
  loadSweepScenario,
  parseUntil,
  runSweep,
  serverArgs,
  stepScenario,
  stopDecision,
  sweepHostCounts,
  sweepMeasureMs,
  sweepStartPeriodMs,
  checkSweepWindows,
  policiesYaml,
  measuredSaturation,
} from '../../capacity/sweep.js';
import { sweepOptionsFromFlags } from '../../capacity/sweep-cli.js';
import { capacityCharts, extractCapacityData, renderCapacityHtml, writeCapacityReport } from '../../capacity/html.js';
import { sweepOf, sweepStep } from './fixtures.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const tinyScenario = join(here, 'tiny-sweep.yaml');

function resultDoc(overrides: { readP99?: number; errors?: number; saturated?: boolean; cpu?: number[] } = {}): ResultDocument {
  const latency = { p50: 1, p90: 2, p99: overrides.readP99 ?? 5, p999: 9, max: 10 };
  const count = 1000;
  const errors = overrides.errors ?? 0;
  return {
    schema: RESULT_SCHEMA,
    scenario: { name: 't' },
    run: {
      started_at: '2026-11-26T00:00:00Z', duration_s: 30, warmup_s: 10, hosts: 500, workers: 1, connections: 1, target: ['x'],
      store: 'memory', seed: 1, osqsim_version: '0', machine: { cpus: 2, cpu_model: 'x', memory_gb: 1, node: 'v20', platform: 'linux' },
    },
    endpoints: {
      read: {
        count, outcomes: { '2xx': count - errors, '4xx': 0, '5xx': errors, timeout: 0, connect: 0 }, errors: errors ? { '5xx': errors } : {},
        rate_per_s: 50, latency_ms: latency, service_ms: latency, histogram: '', service_histogram: '',
      },
    },
    checkins: { scheduled: 1000, late: 0, max_lag_ms: 0 },
    windows: [],
    policies: [{ id: 1, query: 'SELECT 1', truth: { passing: 400, failing: 90, unknown: 10 } }],
    aggregations: [],
    ...(overrides.cpu ? { server: { samples: overrides.cpu.map((cpu, t) => ({ t, cpu_pct: cpu, rss_mb: 100, event_loop_p99_ms: 0 })) } } : {}),
    generator: { cpu_pct: 10, event_loop_p99_ms: 1, max_in_flight: 5, saturated: overrides.saturated ?? false, warnings: overrides.saturated ? ['loop busy'] : [] },
    thresholds: [],
  } as ResultDocument;
}

describe('sweep host counts', () => {
  it('grow geometrically from --from to --to, rounded and strictly increasing', () => {
    expect(sweepHostCounts(1000, 200_000, 6)).toEqual([1000, 2900, 8300, 24_000, 69_000, 200_000]);
    // More steps than distinct counts: each count once.
    expect(sweepHostCounts(10, 12, 5)).toEqual([10, 11, 12]);
    expect(sweepHostCounts(500, 500, 1)).toEqual([500]);
  });

  it('reject impossible ranges', () => {
    expect(() => sweepHostCounts(0, 10, 2)).toThrow(/--from/);
    expect(() => sweepHostCounts(100, 10, 2)).toThrow(/--to/);
    expect(() => sweepHostCounts(1, 10, 0)).toThrow(/--steps/);
  });
});

describe('sweep stop conditions', () => {
  const until = parseUntil(['read.p99 > 500ms', 'errors.rate > 1%']);

  it('goes on while no condition holds', () => {
    expect(stopDecision(resultDoc({ readP99: 499 }), until)).toEqual({ stop: false, reason: null, detail: '' });
  });

  it('stops when a latency condition holds', () => {
    const decision = stopDecision(resultDoc({ readP99: 501 }), until);
    expect(decision).toMatchObject({ stop: true, reason: 'threshold' });
    expect(decision.detail).toContain('read.p99 > 500ms (501)');
  });

  it('stops on errors', () => {
    expect(stopDecision(resultDoc({ errors: 20 }), until)).toMatchObject({ stop: true, reason: 'threshold' });
  });

  it('stops when the generator saturated, whatever the conditions', () => {
    expect(stopDecision(resultDoc({ saturated: true }), [])).toMatchObject({ stop: true, reason: 'saturated' });
  });

  it('reads server CPU conditions from the server samples, and ignores a metric without data', () => {
    const cpu = parseUntil(['server.cpu.avg > 90%']);
    expect(stopDecision(resultDoc({ cpu: [95, 97] }), cpu).stop).toBe(true);
    expect(stopDecision(resultDoc({ cpu: [50, 60] }), cpu).stop).toBe(false);
    expect(stopDecision(resultDoc(), cpu).stop).toBe(false);
  });

  it('judges generator saturation on the measured window only', () => {
    const second = (t: number, warmup: boolean, elu: number, loopP99: number, late = 0) => ({
      t, warmup, checkins: { scheduled: 100, late, max_lag_ms: 0 }, generator: { elu_max: elu, event_loop_p99_ms: loopP99, in_flight: 0 },
    });
    // A blocked loop while workers load (warm-up) does not invalidate the step.
    expect(measuredSaturation([second(0, true, 1, 900), second(1, true, 1, 50), second(2, false, 0.3, 5), second(3, false, 0.4, 5)])).toEqual([]);
    expect(measuredSaturation([second(5, false, 0.97, 5), second(6, false, 0.99, 5), second(7, false, 0.96, 5)])[0]).toMatch(/busy for 3 s/);
    expect(measuredSaturation([second(5, false, 0.5, 250)])[0]).toMatch(/p99 250 ms/);
    expect(measuredSaturation([second(5, false, 0.5, 5, 3), second(6, false, 0.5, 5, 0)])).toEqual([expect.stringMatching(/3 of 200 check-ins/)]);
    expect(measuredSaturation([second(5, false, 0.5, 5, 2), second(6, false, 0.5, 5, 0)])).toEqual([]);
  });

  it('rejects bad conditions with every problem', () => {
    expect(() => parseUntil(['read.p99 500ms', 'raed.p99 > 1s'])).toThrow(/no comparison.*did you mean read\.p99/);
  });
});

describe('sweep steps', () => {
  it('derive server CPU per request, membership rows/s and rows written per write from the server deltas', () => {
    const metrics = (read: number, write: number, rows: number): Map<string, number> =>
      new Map([
        ['osqsim_http_request_duration_seconds_count{endpoint="read"}', read],
        ['osqsim_http_request_duration_seconds_count{endpoint="write"}', write],
        ['osqsim_ingest_rows_total', rows],
      ]);
    const step = buildStep(2, 500, resultDoc(), {
      before: { atMs: 0, cpuMs: 1000, rssMb: 100 },
      after: { atMs: 20_000, cpuMs: 3000, rssMb: 120 },
      metricsBefore: metrics(100, 10, 50),
      metricsAfter: metrics(1100, 110, 350),
      aggregations: [{ strategy: 'cron', started_at: 'x', duration_ms: 4, rows: 500, drift: 0 }],
    }, 3);
    expect(step.server).toMatchObject({ cpu_ms: 2000, cpu_pct: 10, rss_mb: 120, rows_written_per_req: 3 });
    expect(step.server!.cpu_ms_per_req).toBeCloseTo(2000 / 1100, 9);
    expect(step.membership_rows_per_s).toBeCloseTo(300 / 20, 9);
    expect(step.membership_rows).toBe(500);
    expect(step.aggregations).toEqual([{ strategy: 'cron', duration_ms: 4, rows: 500 }]);
    expect(step.endpoints.read!.cpu_ms_per_req).toBeNull();
    expect(step.measured_s).toBe(20);
  });
});

describe('sweep scenario handling', () => {
  const source = loadSweepScenario(tinyScenario);

  it('builds each step from the scenario: hosts, windows, no timeline, starts spread over an interval', () => {
    const scenario = stepScenario(source, 40, 4000, 4000);
    expect(scenario.hosts).toBe(40);
    expect(scenario.warmup).toBe(4000);
    expect(scenario.duration).toBe(8000);
    expect(scenario.timeline).toEqual([]);
    expect(scenario.agent.start_period).toBe(2000);
    expect(sweepStartPeriodMs({ agent: { ...scenario.agent, start_period: 60_000 } }, 30_000)).toBe(28_000);
    expect(sweepMeasureMs(scenario, 5000)).toBe(6000);
    expect(() => checkSweepWindows(scenario, 3000)).toThrow(/--warmup/);
  });

  it('starts the server with flags `osqsim server` has, and the scenario policies as fleetctl YAML', async () => {
    const scenario = stepScenario(source, 40, 4000, 4000);
    const args = serverArgs(scenario, '/tmp/p.yml', { statsIntervalMs: 2000 });
    const program = await buildProgram();
    const server = program.commands.find((command) => command.name() === 'server')!;
    const known = new Set(server.options.map((option) => option.long));
    for (const flag of args.filter((arg) => arg.startsWith('--'))) expect(known.has(flag), flag).toBe(true);
    expect(args.join(' ')).toContain('--policy-update-interval 4000ms');
    expect(args.join(' ')).toContain('--distributed-interval 2');
    expect(policiesYaml(scenario)).toMatch(/kind: policy\nspec:\n {2}name: firewall/);
    expect(policiesYaml(scenario)!.split('---').length).toBe(3);
  });

  it('checks flags before running anything', () => {
    expect(() => sweepOptionsFromFlags(tinyScenario, { from: '100', to: '10' })).toThrow(/--to/);
    expect(() => sweepOptionsFromFlags(tinyScenario, { until: ['read.p99 >'] })).toThrow(/--until/);
    expect(sweepOptionsFromFlags('quickstart', {}).scenarioFile).toMatch(/scenarios[\\/]quickstart\.yaml$/);
    expect(sweepOptionsFromFlags('quickstart', {}).until).toEqual(['read.p99 > 500ms', 'errors.rate > 1%']);
    expect(sweepOptionsFromFlags('quickstart', { until: ['write.p99 > 1s'] }).until).toEqual(['write.p99 > 1s']);
  });
});

describe('capacity report', () => {
  it('draws the measured steps and the fitted model from the same data as sweep.json', () => {
    const sweep = sweepOf([sweepStep(1, 1000), sweepStep(2, 2000), sweepStep(3, 4000)]);
    const html = renderCapacityHtml(sweep);
    const data = extractCapacityData(html);
    expect(data.sweep).toEqual(sweep);
    expect(html).toContain('uPlot');
    const rates = data.charts.find((chart) => chart.id === 'rates')!;
    expect(rates.x).toEqual([1000, 2000, 4000]);
    expect(rates.series.find((s) => s.label === 'read measured')!.values).toEqual([98, 196, 392]);
    expect(rates.series.find((s) => s.label === 'read model')!.values[2]).toBeCloseTo(392, 6);
    const aggregation = data.charts.find((chart) => chart.id === 'aggregation')!;
    expect(aggregation.x).toEqual([10_000, 20_000, 40_000]);
    expect(aggregation.series.find((s) => s.label === 'cron model')!.values[0]).toBeCloseTo(30, 6);
    expect(capacityCharts(sweep).map((chart) => chart.id)).toEqual(['rates', 'latency', 'cpu', 'rss', 'membership', 'aggregation']);
    expect(html).toContain('No CPU probe in this sweep');
    const probed = renderCapacityHtml({ ...sweep, cpu_probe: { hosts: 10, seconds: 2, rate_per_s: 100, idle_cpu_ms_per_s: 12.5, endpoints: { write: { requests: 200, rate_per_s: 100, cpu_ms_per_req: 0.4321 } } } });
    expect(probed).toMatch(/<td>write<\/td><td>200<\/td><td>100\/s<\/td><td>0\.432<\/td>/);
  });

  it('writes runs/<timestamp>-capacity/ with report.html and sweep.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-capacity-'));
    const files = writeCapacityReport(sweepOf([sweepStep(1, 1000)]), dir, new Date('2026-11-26T15:00:00Z'));
    expect(files.dir).toBe(join(dir, '2026-11-26T15-00-00Z-capacity'));
    expect(JSON.parse(readFileSync(files.sweep, 'utf8')).schema).toBe('osqsim.capacity-sweep/v1');
    expect(readFileSync(files.html, 'utf8')).toContain('osqsim-capacity-data');
  });
});

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path) => existsSync(path));

describe('capacity report in a browser', () => {
  it.skipIf(chromium === undefined)(`draws every chart offline${chromium === undefined ? ' (skipped: no Chromium installed)' : ''}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-capacity-html-'));
    const files = writeCapacityReport(sweepOf([sweepStep(1, 1000), sweepStep(2, 2000), sweepStep(3, 4000)]), dir);
    const dom = execFileSync(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', '--virtual-time-budget=5000', `file://${files.html}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 60_000,
    });
    expect(dom).toContain('data-charts-drawn="6"');
    expect((dom.match(/class="uplot/g) ?? []).length).toBe(6);
  }, 90_000);
});

describe('a tiny sweep end to end (memory store)', () => {
  it('runs two steps against a real server and fits a model the plan can use', { timeout: 120_000 }, async () => {
    const lines: string[] = [];
    const sweep = await runSweep({
      scenarioFile: tinyScenario,
      from: 20,
      to: 40,
      steps: 2,
      until: ['read.p99 > 30s'],
      warmupMs: 4000,
      measureMs: 4000,
      workers: 1,
      cpuProbe: { hosts: 20, ratePerS: 100, seconds: 2 },
      onProgress: (line) => lines.push(line),
    });
    expect(sweep.stopped).toMatchObject({ reason: 'completed' });
    expect(sweep.steps.map((step) => step.hosts)).toEqual([20, 40]);
    expect(lines.filter((line) => line.startsWith('step ')).length).toBe(2);
    for (const step of sweep.steps) {
      // 2 s interval, 4 s window: every host reads about twice.
      expect(step.endpoints.read!.rate_per_s).toBeGreaterThan(step.hosts / 2 / 2);
      expect(step.endpoints.read!.rate_per_s).toBeLessThan(step.hosts / 2 * 1.5);
      expect(step.errors_rate).toBe(0);
      expect(step.server).not.toBeNull();
      expect(step.server!.cpu_ms).toBeGreaterThan(0);
      expect(step.server!.rss_mb).toBeGreaterThan(10);
      expect(step.membership_rows).toBe(step.hosts * 3);
      expect(step.membership_rows_per_s).toBeGreaterThan(0);
    }
    expect(sweep.steps.some((step) => step.aggregations.length > 0)).toBe(true);
    const calibration = calibrate(sweep);
    expect(calibration.perHostPerInterval.read!.value).toBeGreaterThan(0.5);
    const plan = planCapacity({ ...DEFAULT_PLAN_INPUT, hosts: 1000, policies: 3 }, sweep, 'sweep.json');
    expect(plan.requestRates.read.source).toMatch(/^measured: sweep\.json steps 1–2/);
    // The CPU probe measured each endpoint alone; the plan charges CPU per endpoint from it.
    expect(sweep.cpu_probe).toBeDefined();
    expect(sweep.cpu_probe!.idle_cpu_ms_per_s).toBeGreaterThanOrEqual(0);
    for (const endpoint of ['read', 'write', 'config'] as const) {
      expect(sweep.cpu_probe!.endpoints[endpoint]!.requests).toBeGreaterThan(100);
      expect(sweep.cpu_probe!.endpoints[endpoint]!.cpu_ms_per_req).toBeGreaterThanOrEqual(0);
    }
    expect(plan.serverCpuCores.source).toMatch(/for this plan's mix .* from the CPU probe's relative costs \(read [\d.]+, write [\d.]+, config [\d.]+ CPU-ms\/req/);
    expect(lines.some((line) => line.startsWith('CPU probe: idle'))).toBe(true);
  });
});
