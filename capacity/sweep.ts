/**
 * `osqsim capacity sweep`: runs a scenario at increasing host counts against one osqsim server (its own
 * process) and records, per step, what the capacity model needs (model.ts).
 *
 * Each step is its own simulation (runSimulation) of `hosts` hosts: a warm-up (enrolment, the first
 * all-due reads and writes; excluded) then a measured window whose latency comes from the simulator's
 * exact histograms. Around the measured window the sweep reads the server's CPU time and RSS (/proc),
 * its /metrics (requests and handler time per endpoint, membership rows written) and its stats runs
 * (aggregation duration against rows). The scenario's timeline and thresholds are not applied: a sweep
 * measures steady state. It stops after the last step, after a step where an --until condition
 * holds, or when the generator (not the server) saturated — a saturated step measures the simulator.
 */
import { redactUrl } from '../lib/redact.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { osqsimError } from '../lib/errors.js';
import { machineInfo } from '../lib/machine.js';
import { formatDurationMs } from '../lib/units.js';
import { type AggregationRun, type ResultDocument, type ServerSample } from '../contract/result.js';
import { ENDPOINTS } from '../contract/vocabulary.js';
import { FleetApi } from '../contract/fleet-rest.js';
import { headline } from '../reports/headline.js';
import { compare, metricValue, parseThreshold, type ThresholdSpec } from '../scenarios/thresholds.js';
import { parseScenarioText } from '../scenarios/load.js';
import { formatIssues } from '../scenarios/schema.js';
import type { HarnessScenario } from '../scenarios/sections.js';
import { runSimulation, type LiveWindow } from '../simulator/pool.js';
import { PLAN_ENDPOINTS, SWEEP_SCHEMA, type SweepDocument, type SweepEndpointStep, type SweepStep } from './sweep-document.js';
import { probeCpu } from './probe.js';
import { processStats, type ProcessStats } from '../scenarios/harness/proc.js';
import { ServerProcess } from '../scenarios/harness/server-process.js';
import { scrapeMetrics } from '../scenarios/harness/server-sampler.js';

// ---------------------------------------------------------------------------------------------
// Pure parts

/** Host counts growing geometrically from `from` to `to`, rounded to 2 significant digits, strictly increasing, ending at `to`. */
export function sweepHostCounts(from: number, to: number, steps: number): number[] {
  if (!(Number.isInteger(from) && from >= 1)) throw osqsimError('CLI_INVALID_OPTION', { option: '--from', reason: `must be a whole number ≥ 1 (got ${from})` });
  if (!(Number.isInteger(to) && to >= from)) throw osqsimError('CLI_INVALID_OPTION', { option: '--to', reason: `must be a whole number ≥ --from (got ${to})` });
  if (!(Number.isInteger(steps) && steps >= 1)) throw osqsimError('CLI_INVALID_OPTION', { option: '--steps', reason: `must be a whole number ≥ 1 (got ${steps})` });
  if (steps === 1) return [to];
  const counts: number[] = [];
  for (let i = 0; i < steps; i++) {
    const exact = from * (to / from) ** (i / (steps - 1));
    const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(exact)) - 1);
    const rounded = i === 0 ? from : i === steps - 1 ? to : Math.round(exact / magnitude) * magnitude;
    // Fewer distinct counts than steps (a narrow range): the duplicates are dropped.
    if (counts.length === 0 || rounded > counts[counts.length - 1]!) counts.push(rounded);
  }
  return counts;
}

/** Parses --until conditions (the threshold syntax of scenarios: `read.p99 > 500ms`); every problem at once. */
export function parseUntil(conditions: readonly string[]): ThresholdSpec[] {
  const specs: ThresholdSpec[] = [];
  const problems: string[] = [];
  for (const condition of conditions) {
    const parsed = parseThreshold(condition);
    if (parsed.ok) specs.push(parsed.threshold);
    else problems.push(parsed.error);
  }
  if (problems.length > 0) throw osqsimError('CLI_INVALID_OPTION', { option: '--until', reason: problems.join('; ') });
  return specs;
}

export interface StopDecision {
  stop: boolean;
  reason: 'threshold' | 'saturated' | null;
  detail: string;
}

/**
 * After a step: stop when the generator saturated (its figures describe the simulator, not the
 * server), or when any --until condition holds. A condition whose metric has no data does not hold.
 */
export function stopDecision(step: ResultDocument, until: readonly ThresholdSpec[]): StopDecision {
  if (step.generator.saturated) {
    return { stop: true, reason: 'saturated', detail: `generator saturated: ${step.generator.warnings.join('; ') || 'see the step'}` };
  }
  const hits: string[] = [];
  for (const spec of until) {
    const value = metricValue(step, spec.metric);
    if (value !== null && compare(value, spec.op, spec.value)) hits.push(`${spec.expr} (${Math.round(value * 1000) / 1000})`);
  }
  if (hits.length > 0) return { stop: true, reason: 'threshold', detail: `--until met: ${hits.join(', ')}` };
  return { stop: false, reason: null, detail: '' };
}

/** The simulator's saturation rules (simulator/pool.ts), applied to the measured window only. */
const SATURATED_ELU = 0.95;
const SATURATED_ELU_SECONDS = 3;
const SATURATED_LOOP_P99_MS = 200;
const SATURATED_LATE_FRACTION = 0.01;

/**
 * Generator saturation inside the measured window. The simulator flags the whole run, including the
 * warm-up, where loading workers and the first all-due check-ins block event loops briefly; a sweep
 * step is only invalid when the generator could not keep its schedule while it was being measured.
 */
export function measuredSaturation(windows: ReadonlyArray<Pick<LiveWindow, 't' | 'warmup' | 'checkins' | 'generator'>>): string[] {
  const warnings: string[] = [];
  let streak = 0;
  let scheduled = 0;
  let late = 0;
  for (const window of windows) {
    if (window.warmup) continue;
    streak = window.generator.elu_max >= SATURATED_ELU ? streak + 1 : 0;
    if (streak === SATURATED_ELU_SECONDS) warnings.push(`a worker's event loop was ≥ ${SATURATED_ELU * 100}% busy for ${streak} s (t=${window.t})`);
    if (window.generator.event_loop_p99_ms >= SATURATED_LOOP_P99_MS) warnings.push(`worker event-loop delay p99 ${Math.round(window.generator.event_loop_p99_ms)} ms at t=${window.t}`);
    scheduled += window.checkins.scheduled;
    late += window.checkins.late;
  }
  if (scheduled >= 100 && late / scheduled > SATURATED_LATE_FRACTION) warnings.push(`${late} of ${scheduled} check-ins started > 1 s late`);
  return warnings;
}

export interface ServerWindow {
  /** Server CPU time and RSS at the start and end of the measured window. */
  before: ProcessStats | undefined;
  after: ProcessStats | undefined;
  metricsBefore: Map<string, number>;
  metricsAfter: Map<string, number>;
  aggregations: AggregationRun[];
}

function delta(window: ServerWindow, key: string): number {
  return (window.metricsAfter.get(key) ?? 0) - (window.metricsBefore.get(key) ?? 0);
}

/** One sweep step from the step's result document and what the server showed around its window. */
export function buildStep(index: number, hosts: number, doc: ResultDocument, server: ServerWindow | null, policiesInScope: number): SweepStep {
  const measuredS = Math.max(0.001, doc.run.duration_s - doc.run.warmup_s);
  const summary = headline(doc);
  const endpoints: SweepStep['endpoints'] = {};
  for (const name of ENDPOINTS) {
    const result = doc.endpoints[name];
    if (!result) continue;
    const entry: SweepEndpointStep = {
      count: result.count,
      rate_per_s: result.rate_per_s,
      errors: summary.endpoints.find((e) => e.endpoint === name)?.errors ?? 0,
      // CPU cannot be split per endpoint from outside the process: see server.cpu_ms_per_req.
      cpu_ms_per_req: null,
      latency_ms: { ...result.latency_ms },
      service_ms: { ...result.service_ms },
    };
    endpoints[name] = entry;
  }
  let serverPart: SweepStep['server'] = null;
  let membershipRowsPerS = 0;
  if (server) {
    const serverRequests = ENDPOINTS.reduce((sum, name) => sum + delta(server, `osqsim_http_request_duration_seconds_count{endpoint="${name}"}`), 0);
    const writes = delta(server, 'osqsim_http_request_duration_seconds_count{endpoint="write"}');
    const rowsWritten = delta(server, 'osqsim_ingest_rows_total');
    const windowS = server.before && server.after ? (server.after.atMs - server.before.atMs) / 1000 : measuredS;
    const cpuMs = server.before && server.after ? server.after.cpuMs - server.before.cpuMs : 0;
    membershipRowsPerS = rowsWritten / windowS;
    serverPart = {
      cpu_ms: cpuMs,
      cpu_pct: windowS > 0 ? (cpuMs / 10 / windowS) : 0,
      cpu_ms_per_req: serverRequests > 0 && server.before ? cpuMs / serverRequests : null,
      rss_mb: server.after?.rssMb ?? 0,
      store_queries_per_req: null,
      rows_written_per_req: writes > 0 ? rowsWritten / writes : null,
    };
  }
  const truthRows = doc.policies.reduce((sum, p) => sum + p.truth.passing + p.truth.failing + p.truth.unknown, 0);
  const measuredRequestsPerS = Object.values(endpoints).reduce((sum, e) => sum + e.rate_per_s, 0);
  return {
    index,
    hosts,
    warmup_s: doc.run.warmup_s,
    measured_s: measuredS,
    endpoints,
    requests_per_s: measuredRequestsPerS,
    server: serverPart,
    membership_rows_per_s: server ? membershipRowsPerS : (doc.endpoints.write?.rate_per_s ?? 0) * policiesInScope,
    membership_rows: truthRows,
    aggregations: (server?.aggregations ?? []).map((run) => ({ strategy: run.strategy, duration_ms: run.duration_ms, rows: run.rows })),
    generator: { saturated: doc.generator.saturated, warnings: [...doc.generator.warnings], cpu_pct: doc.generator.cpu_pct },
    errors_rate: summary.total.error_rate,
  };
}

export function formatStepLine(step: SweepStep, total: number): string {
  const parts: string[] = [`step ${step.index}/${total}: ${step.hosts.toLocaleString('en-US')} hosts`];
  for (const name of PLAN_ENDPOINTS) {
    const e = step.endpoints[name];
    if (e && e.count > 0) parts.push(`${name} ${e.rate_per_s.toFixed(1)}/s p99 ${e.latency_ms.p99} ms`);
  }
  if (step.server) {
    parts.push(`server CPU ${step.server.cpu_pct.toFixed(0)}%${step.server.cpu_ms_per_req !== null ? ` (${step.server.cpu_ms_per_req.toFixed(3)} ms/req)` : ''}, RSS ${step.server.rss_mb.toFixed(0)} MB`);
  }
  parts.push(`membership ${step.membership_rows_per_s.toFixed(1)} rows/s, ${step.membership_rows.toLocaleString('en-US')} rows`);
  const lastAggregation = step.aggregations[step.aggregations.length - 1];
  if (lastAggregation) parts.push(`${lastAggregation.strategy} ${lastAggregation.duration_ms.toFixed(1)} ms @ ${lastAggregation.rows.toLocaleString('en-US')} rows`);
  if (step.errors_rate > 0) parts.push(`errors ${(step.errors_rate * 100).toFixed(2)}%`);
  if (step.generator.saturated) parts.push('GENERATOR SATURATED');
  return parts.join(' · ');
}

// ---------------------------------------------------------------------------------------------
// Scenario → step scenarios and server flags

/** The scenario as parsed YAML with file references resolved, before validation. */
export interface SweepScenarioSource {
  file: string;
  document: Record<string, unknown>;
  base: HarnessScenario;
}

export function loadSweepScenario(file: string): SweepScenarioSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw osqsimError('SCENARIO_INVALID', { source: file, problems: (error as Error).message });
  }
  const result = parseScenarioText(text, file);
  if (!result.ok) throw osqsimError('SCENARIO_INVALID', { source: file, problems: `\n${formatIssues(result.issues)}` });
  if (result.scenario.target !== undefined) {
    throw osqsimError('CLI_INVALID_OPTION', { option: 'SCENARIO', reason: 'capacity sweep starts its own server: the scenario must have a server: section, not target:' });
  }
  return { file, document: parseYaml(text) as Record<string, unknown>, base: result.scenario };
}

/** The scenario of one step: `hosts` hosts, warm-up + measured window, no timeline or thresholds. */
export function stepScenario(source: SweepScenarioSource, hosts: number, warmupMs: number, measureMs: number): HarnessScenario {
  const document: Record<string, unknown> = { ...source.document, hosts, warmup: `${warmupMs}ms`, duration: `${warmupMs + measureMs}ms` };
  delete document.timeline;
  delete document.thresholds;
  const agent = { ...((source.document.agent as Record<string, unknown> | undefined) ?? {}) };
  agent.start_period = `${sweepStartPeriodMs(source.base, warmupMs)}ms`;
  document.agent = agent;
  const result = parseScenarioText(JSON.stringify(document), source.file);
  if (!result.ok) throw osqsimError('SCENARIO_INVALID', { source: `${source.file} at ${hosts} hosts`, problems: `\n${formatIssues(result.issues)}` });
  return result.scenario;
}

/**
 * Host starts spread over at least one distributed interval (so read phases are uniform and any window
 * of whole intervals sees each host the same number of times) and ending one interval before the
 * measured window (so every host has had its first, all-due read and write).
 */
export function sweepStartPeriodMs(scenario: Pick<HarnessScenario, 'agent'>, warmupMs: number): number {
  const interval = scenario.agent.distributed_interval;
  return Math.max(interval, Math.min(scenario.agent.start_period, warmupMs - interval));
}

/** The measured window rounded up to whole distributed intervals: a partial interval aliases the read rate. */
export function sweepMeasureMs(scenario: Pick<HarnessScenario, 'agent'>, measureMs: number): number {
  const interval = scenario.agent.distributed_interval;
  return Math.max(1, Math.ceil(measureMs / interval - 1e-9)) * interval;
}

export function checkSweepWindows(scenario: Pick<HarnessScenario, 'agent'>, warmupMs: number): void {
  const interval = scenario.agent.distributed_interval;
  if (warmupMs < 2 * interval) {
    throw osqsimError('CLI_INVALID_OPTION', {
      option: '--warmup',
      reason: `must be at least two distributed intervals (${formatDurationMs(2 * interval)}): hosts start over one interval and need another for their first all-due check-in`,
    });
  }
}

function ms(value: number): string {
  return `${Math.round(value)}ms`;
}

/** `osqsim server` flags for the scenario's server section (plus the policies file written beside). */
export function serverArgs(scenario: HarnessScenario, policiesFile: string | null, overrides: { store?: string; statsIntervalMs?: number }): string[] {
  const server = scenario.server!;
  const strategy = Array.isArray(server.stats.strategy) ? server.stats.strategy[0]! : server.stats.strategy;
  const args = [
    '--store', overrides.store ?? server.store,
    '--enroll-secret', scenario.enroll_secret,
    '--policy-update-interval', ms(server.policy_update_interval),
    '--detail-update-interval', ms(server.detail_update_interval),
    '--max-jitter-percent', String(server.max_jitter_percent),
    '--stats-strategy', strategy,
    '--stats-interval', ms(overrides.statsIntervalMs ?? server.stats.interval),
    '--distributed-interval', String(Math.max(1, Math.round(scenario.agent.distributed_interval / 1000))),
    '--config-refresh', String(Math.max(1, Math.round(scenario.agent.config_refresh / 1000))),
    '--logger-tls-period', String(Math.max(1, Math.round(scenario.agent.logger_tls_period / 1000))),
    '--log-level', 'warn',
  ];
  const teams = new Set(scenario.fleet.groups.map((group) => group.team).filter((team): team is string => typeof team === 'string' && team !== ''));
  for (const team of teams) args.push('--enroll-secret', `${team}:${team}`);
  if (policiesFile !== null) args.push('--policies', policiesFile);
  args.push(...server.extra_args);
  return args;
}

export function policiesYaml(scenario: HarnessScenario): string | null {
  const documents = scenario.policies
    .filter((policy) => typeof policy.query === 'string' && policy.query !== '')
    .map((policy) =>
      stringifyYaml({
        apiVersion: 'v1',
        kind: 'policy',
        spec: {
          name: policy.name,
          query: policy.query,
          ...(policy.description ? { description: policy.description } : {}),
          ...(policy.platform ? { platform: policy.platform } : {}),
          ...(policy.team ? { team: policy.team } : {}),
        },
      }),
    );
  return documents.length === 0 ? null : documents.join('---\n');
}

/** Policies in scope of an average host: global ones, plus the team's (approximated by the largest team's). */
export function policiesPerHost(scenario: HarnessScenario): number {
  const global = scenario.policies.filter((policy) => !policy.team && policy.query).length;
  const perTeam = new Map<string, number>();
  for (const policy of scenario.policies) if (policy.team && policy.query) perTeam.set(policy.team, (perTeam.get(policy.team) ?? 0) + 1);
  return global + Math.max(0, ...perTeam.values());
}

// ---------------------------------------------------------------------------------------------
// The runner

export interface SweepOptions {
  scenarioFile: string;
  from: number;
  to: number;
  steps: number;
  until: readonly string[];
  warmupMs: number;
  measureMs: number;
  store?: string;
  workers?: number;
  /** Aggregation period during the sweep (default: the scenario's, at most a third of the window). */
  statsIntervalMs?: number;
  /** CPU per request per endpoint after the last step (capacity-probe.ts); false skips it. */
  cpuProbe?: false | { hosts?: number; ratePerS?: number; seconds?: number };
  onProgress?: (line: string) => void;
}

export async function runSweep(options: SweepOptions): Promise<SweepDocument> {
  const say = options.onProgress ?? (() => undefined);
  const counts = sweepHostCounts(options.from, options.to, options.steps);
  const until = parseUntil(options.until);
  const source = loadSweepScenario(options.scenarioFile);
  const server = source.base.server!;
  checkSweepWindows(source.base, options.warmupMs);
  const requestedMeasureMs = options.measureMs;
  options = { ...options, measureMs: sweepMeasureMs(source.base, options.measureMs) };
  const statsIntervalMs = options.statsIntervalMs ?? Math.min(server.stats.interval, Math.max(2000, Math.floor(options.measureMs / 3)));
  const store = options.store ?? server.store;
  const workDir = mkdtempSync(join(tmpdir(), 'osqsim-sweep-'));
  const yaml = policiesYaml(source.base);
  const policiesFile = yaml === null ? null : join(workDir, 'policies.yml');
  if (policiesFile !== null) writeFileSync(policiesFile, yaml!);
  const apiToken = randomBytes(18).toString('base64url');
  const policies = policiesPerHost(source.base);
  const document: SweepDocument = {
    schema: SWEEP_SCHEMA,
    scenario: source.base.name,
    started_at: new Date().toISOString(),
    machine: machineInfo(),
    store: redactUrl(store),
    params: {
      from: options.from,
      to: options.to,
      steps: counts.length,
      until: [...options.until],
      warmup_s: options.warmupMs / 1000,
      measure_s: options.measureMs / 1000,
      policies,
      distributed_interval_s: source.base.agent.distributed_interval / 1000,
      policy_interval_s: Math.min(server.policy_update_interval, server.detail_update_interval) / 1000,
      config_refresh_s: source.base.agent.config_refresh / 1000,
      logger_tls_period_s: source.base.agent.logger_tls_period / 1000,
      stats_strategy: Array.isArray(server.stats.strategy) ? server.stats.strategy[0]! : server.stats.strategy,
      stats_interval_s: statsIntervalMs / 1000,
    },
    steps: [],
    stopped: { reason: 'completed', step: null, detail: `all ${counts.length} steps ran` },
  };
  if (options.measureMs !== requestedMeasureMs) say(`measured window rounded up to whole distributed intervals: ${formatDurationMs(options.measureMs)}`);
  say(`capacity sweep of ${source.base.name}: ${counts.map((n) => n.toLocaleString('en-US')).join(' → ')} hosts; ${formatDurationMs(options.warmupMs)} warm-up + ${formatDurationMs(options.measureMs)} measured per step; store ${document.store}`);

  let serverProcess: ServerProcess | undefined;
  try {
    const firstScenario = stepScenario(source, counts[0]!, options.warmupMs, options.measureMs);
    // Not detached: the sweep has no SIGINT handler, so the server must get the terminal's Ctrl-C too.
    serverProcess = new ServerProcess({ args: ['--api-token', apiToken, ...serverArgs(firstScenario, policiesFile, { store, statsIntervalMs })], port: 0, startTimeoutMs: 60_000, detached: false });
    await serverProcess.start();
    say(`server ${serverProcess.url} (pid ${serverProcess.pid})`);
    const api = new FleetApi(serverProcess.url, apiToken);
    const policyNames = await fetchPolicyNames(api);
    for (let i = 0; i < counts.length; i++) {
      const hosts = counts[i]!;
      const scenario = i === 0 ? firstScenario : stepScenario(source, hosts, options.warmupMs, options.measureMs);
      const { doc, window } = await runStep(scenario, serverProcess, api, options, policyNames, store);
      const step = buildStep(i + 1, hosts, doc, window, policies);
      document.steps.push(step);
      say(formatStepLine(step, counts.length));
      const decision = stopDecision(doc, until);
      if (decision.stop) {
        document.stopped = { reason: decision.reason!, step: i + 1, detail: decision.detail };
        say(`stopping after step ${i + 1}: ${decision.detail}`);
        break;
      }
    }
    if (options.cpuProbe !== false && document.steps.length > 0) {
      const probe = { hosts: 200, ratePerS: 400, seconds: 8, ...(options.cpuProbe ?? {}) };
      say(`CPU probe: ${probe.ratePerS} req/s of read, write and config in turn for ${probe.seconds} s each (${probe.hosts} probe hosts) …`);
      const result = await probeCpu({ url: serverProcess.url, pid: serverProcess.pid, enrollSecret: source.base.enroll_secret, seed: 990_001, ...probe });
      if (result) {
        document.cpu_probe = result;
        say(
          `CPU probe: idle ${result.idle_cpu_ms_per_s.toFixed(1)} CPU-ms/s; ` +
            Object.entries(result.endpoints).map(([name, e]) => `${name} ${e.cpu_ms_per_req.toFixed(3)} CPU-ms/req`).join(', '),
        );
      } else say('CPU probe: not available (no /proc, or the probe hosts could not enroll)');
    }
    // Policies in scope per host as the hosts answered them (platform-scoped policies do not reach every host).
    const last = document.steps[document.steps.length - 1];
    if (last && last.hosts > 0 && last.membership_rows > 0) document.params.policies = Math.round((last.membership_rows / last.hosts) * 100) / 100;
  } catch (error) {
    document.stopped = { reason: 'error', step: document.steps.length, detail: (error as Error).message };
    if (document.steps.length === 0) throw error;
    say(`stopping: ${(error as Error).message}`);
  } finally {
    await serverProcess?.stop(15_000);
    rmSync(workDir, { recursive: true, force: true });
  }
  return document;
}

async function fetchPolicyNames(api: FleetApi): Promise<Map<number, string>> {
  try {
    const body = await api.call<{ policies?: Array<{ id: number; name: string }> }>('GET', '/api/v1/fleet/global/policies?per_page=10000');
    return new Map((body.policies ?? []).map((policy) => [policy.id, policy.name]));
  } catch {
    return new Map();
  }
}

async function runStep(
  scenario: HarnessScenario,
  server: ServerProcess,
  api: FleetApi,
  options: SweepOptions,
  policyNames: Map<number, string>,
  store: string,
): Promise<{ doc: ResultDocument; window: ServerWindow }> {
  const sim = runSimulation({
    targets: [server.url],
    scenario,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    policyNames,
    store,
  });
  const windows: LiveWindow[] = [];
  sim.onWindow((window) => windows.push(window));
  const samples: ServerSample[] = [];
  let before: ProcessStats | undefined;
  let metricsBefore = new Map<string, number>();
  let measureStartIso = '';
  let measuring = false;
  let previous: ProcessStats | undefined;
  let measureStartedAt = 0;
  const sampler = setInterval(() => {
    if (!measuring) return;
    const now = processStats(server.pid);
    if (now && previous) {
      samples.push({
        t: Math.round((now.atMs - measureStartedAt) / 1000),
        cpu_pct: ((now.cpuMs - previous.cpuMs) / (now.atMs - previous.atMs)) * 100,
        rss_mb: now.rssMb,
        event_loop_p99_ms: 0,
      });
    }
    previous = now;
  }, 1000);
  const warmupDone = (async () => {
    await sim.started;
    await new Promise((resolve) => setTimeout(resolve, scenario.warmup));
    metricsBefore = await scrapeMetrics(server.url);
    before = processStats(server.pid);
    previous = before;
    measureStartedAt = performance.now();
    measureStartIso = new Date().toISOString();
    measuring = true;
  })();
  let doc: ResultDocument;
  try {
    doc = await sim.done;
    await warmupDone;
  } finally {
    clearInterval(sampler);
  }
  measuring = false;
  const after = processStats(server.pid);
  const metricsAfter = await scrapeMetrics(server.url);
  const measureEndIso = new Date().toISOString();
  const runs = await api.statsRuns().catch(() => []);
  const aggregations: AggregationRun[] = runs
    .filter((run) => run.started_at >= measureStartIso && run.started_at <= measureEndIso)
    .map((run) => ({ strategy: run.strategy, started_at: run.started_at, duration_ms: run.duration_ms, rows: run.rows_scanned, drift: run.drift }))
    .sort((a, b) => a.started_at.localeCompare(b.started_at));
  const saturation = measuredSaturation(windows);
  const warmupWarnings = doc.generator.warnings.filter((warning) => !saturation.some((s) => warning.includes(s)));
  doc.generator = {
    ...doc.generator,
    saturated: saturation.length > 0,
    warnings: [
      ...saturation.map((warning) => `GENERATOR SATURATED in the measured window: ${warning}`),
      ...(saturation.length === 0 ? warmupWarnings.map((warning) => `during warm-up only (ignored): ${warning}`) : []),
    ],
  };
  doc.server = { samples };
  doc.aggregations = aggregations;
  return { doc, window: { before, after, metricsBefore, metricsAfter, aggregations } };
}
