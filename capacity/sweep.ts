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
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { osqsimError } from '../lib/errors.js';
import { machineInfo } from '../lib/machine.js';
import { redactUrl } from '../lib/redact.js';
import { formatDurationMs } from '../lib/units.js';
import type { AggregationRun, ResultDocument, ServerSample } from '../contract/result.js';
import { FleetApi } from '../contract/fleet-rest.js';
import { processStats, type ProcessStats } from '../scenarios/harness/proc.js';
import { serverArgs } from '../scenarios/harness/server-args.js';
import { ServerProcess } from '../scenarios/harness/server-process.js';
import { CA_FILE } from '../server/tls/agent-files.js';
import { scrapeMetrics } from '../scenarios/harness/server-sampler.js';
import { readScenario, scenarioOrThrow } from '../scenarios/read.js';
import type { Scenario as HarnessScenario } from '../scenarios/schema/scenario.js';
import { runSimulation, type LiveWindow } from '../simulator/pool.js';
import { measuredSaturation } from '../simulator/saturation.js';
import { withSaturationVerdict } from '../simulator/result.js';
import { probeCpu } from './probe.js';
import { SWEEP_SCHEMA, type SweepDocument } from './sweep-document.js';
import {
  checkSweepWindows,
  policiesPerHost,
  policiesYaml,
  stepScenario,
  sweepMeasureMs,
  type SweepScenarioSource,
} from './sweep-scenario.js';
import { buildStep, formatStepLine, parseUntil, stopDecision, sweepHostCounts, type ServerWindow } from './sweep-steps.js';

export function loadSweepScenario(file: string): SweepScenarioSource {
  const base = scenarioOrThrow(readScenario(file));
  if (base.target !== undefined) {
    throw osqsimError('CLI_INVALID_OPTION', { option: 'SCENARIO', reason: 'capacity sweep starts its own server: the scenario must have a server: section, not target:' });
  }
  return { file, document: parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>, base };
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
  /** CPU per request per endpoint after the last step (probe.ts); false skips it. */
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
  // A sweep measures one count strategy: the scenario's first.
  const strategy = Array.isArray(server.stats.strategy) ? server.stats.strategy[0]! : server.stats.strategy;
  const workDir = mkdtempSync(join(tmpdir(), 'osqsim-sweep-'));
  const yaml = policiesYaml(source.base);
  const policiesFile = yaml === null ? null : join(workDir, 'policies.yml');
  if (policiesFile !== null) writeFileSync(policiesFile, yaml!);
  const apiToken = randomBytes(18).toString('base64url');
  const policies = policiesPerHost(source.base);
  // server.tls: self-signed → as `osqsim run`: the server creates a CA in the work folder, and the
  // simulator, the REST calls, the /metrics reads and the CPU probe trust only that CA.
  const tls = server.tls === 'self-signed';
  const tlsDir = tls ? join(workDir, 'tls') : undefined;
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
      stats_strategy: strategy,
      stats_interval_s: statsIntervalMs / 1000,
      tls: tls ? 'self-signed' : 'none',
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
    const args = serverArgs(firstScenario, {
      strategy,
      store,
      apiToken,
      logLevel: 'warn',
      statsIntervalMs,
      ...(policiesFile !== null ? { policiesFile } : {}),
      ...(tlsDir !== undefined ? { tlsDir } : {}),
    });
    serverProcess = new ServerProcess({ args, port: 0, startTimeoutMs: 60_000, detached: false });
    await serverProcess.start();
    const ca = tlsDir === undefined ? undefined : readFileSync(join(tlsDir, CA_FILE), 'utf8');
    say(`server ${serverProcess.url} (pid ${serverProcess.pid}${tls ? ', TLS with a self-signed CA' : ''})`);
    const api = new FleetApi(serverProcess.url, apiToken, undefined, ca);
    const policyNames = await fetchPolicyNames(api);
    for (let i = 0; i < counts.length; i++) {
      const hosts = counts[i]!;
      const scenario = i === 0 ? firstScenario : stepScenario(source, hosts, options.warmupMs, options.measureMs);
      const { doc, window } = await runStep(scenario, { url: serverProcess.url, pid: serverProcess.pid, metrics: true, api, ...(ca !== undefined ? { ca } : {}) }, options, policyNames, store);
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
      const result = await probeCpu({
        url: serverProcess.url,
        pid: serverProcess.pid,
        enrollSecret: source.base.enroll_secret,
        seed: 990_001,
        ...(ca !== undefined ? { ca } : {}),
        ...probe,
      });
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

export async function fetchPolicyNames(api: FleetApi): Promise<Map<number, string>> {
  try {
    const { policies } = await api.listPolicies(null);
    return new Map((policies ?? []).map((policy) => [policy.id, policy.name]));
  } catch {
    return new Map();
  }
}

/**
 * The server a step measures: osqsim's own process (pid: CPU and RSS from /proc), or a target osqsim
 * did not start (no pid; /metrics only when it exports them; the stats-runs API only with a token).
 */
export interface SweepServer {
  url: string;
  pid?: number;
  /** Whether GET /metrics answers with Prometheus text. */
  metrics: boolean;
  /** For the stats-runs API (osqsim's; absent on Fleet). */
  api?: FleetApi;
  /** PEM of the CA that signed the server's certificate (a `server.tls: self-signed` scenario). */
  ca?: string;
}

export async function runStep(
  scenario: HarnessScenario,
  server: SweepServer,
  options: Pick<SweepOptions, 'workers'>,
  policyNames: Map<number, string>,
  store: string | undefined,
): Promise<{ doc: ResultDocument; window: ServerWindow }> {
  const sampleProcess = (): ProcessStats | undefined => (server.pid === undefined ? undefined : processStats(server.pid));
  const scrape = (): Promise<Map<string, number>> => (server.metrics ? scrapeMetrics(server.url, server.ca) : Promise.resolve(new Map()));
  const sim = runSimulation({
    targets: [server.url],
    scenario,
    ...(server.ca !== undefined ? { ca: server.ca } : {}),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    policyNames,
    ...(store !== undefined ? { store } : {}),
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
    const now = sampleProcess();
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
    metricsBefore = await scrape();
    before = sampleProcess();
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
  const after = sampleProcess();
  const metricsAfter = await scrape();
  const measureEndIso = new Date().toISOString();
  const runs = server.api ? await server.api.statsRuns().catch(() => []) : [];
  const aggregations: AggregationRun[] = runs
    .filter((run) => run.started_at >= measureStartIso && run.started_at <= measureEndIso)
    .map((run) => ({ strategy: run.strategy, started_at: run.started_at, duration_ms: run.duration_ms, rows: run.rows_scanned, drift: run.drift }))
    .sort((a, b) => a.started_at.localeCompare(b.started_at));
  const saturation = measuredSaturation(windows);
  const warmupWarnings = doc.generator.warnings.filter((warning) => !saturation.some((s) => warning.includes(s)));
  const measured = saturation.map((warning) => `GENERATOR SATURATED in the measured window: ${warning}`);
  doc.generator = {
    ...withSaturationVerdict({ ...doc.generator, saturated: measured.length > 0, warnings: measured }, doc.endpoints),
    warnings: [...measured, ...(saturation.length === 0 ? warmupWarnings.map((warning) => `during warm-up only (ignored): ${warning}`) : [])],
  };
  if (server.pid !== undefined) doc.server = { samples };
  doc.aggregations = aggregations;
  return { doc, window: { before, after, metricsBefore, metricsAfter, aggregations } };
}
