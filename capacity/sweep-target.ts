/**
 * `osqsim capacity sweep --target URL`: the sweep's steps against a server osqsim did not start (a
 * staging Fleet, an osqsim deployment on Kubernetes). Each step is the same simulation as a local
 * sweep's (sweep.ts runStep); what the server showed comes only from what the target exposes:
 * its /metrics when it answers (osqsim's metrics: server-side request, error and membership-row
 * counts; another exporter: noted, not interpreted), the stats-runs API with --api-token when it
 * is an osqsim server. What cannot be seen from outside is named in the sweep document
 * (`target.not_measured`) and printed, never filled with zeros: the server's CPU and memory (no
 * /proc of another machine), the store's figures, and the CPU-per-endpoint probe built on them.
 */
import { machineInfo } from '../lib/machine.js';
import { osqsimError } from '../lib/errors.js';
import { redactUrl } from '../lib/redact.js';
import { formatDurationMs } from '../lib/units.js';
import { FleetApi } from '../contract/fleet-rest.js';
import { fetchMetricsText } from '../scenarios/harness/server-sampler.js';
import { readScenario, scenarioOrThrow } from '../scenarios/read.js';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { SWEEP_SCHEMA, type SweepDocument } from './sweep-document.js';
import { checkSweepWindows, policiesPerHost, stepScenario, sweepMeasureMs, type SweepScenarioSource } from './sweep-scenario.js';
import { buildStep, formatStepLine, parseUntil, stopDecision, sweepHostCounts } from './sweep-steps.js';
import { fetchPolicyNames, runStep, type SweepOptions, type SweepServer } from './sweep.js';

export interface TargetSweepOptions extends Omit<SweepOptions, 'store' | 'statsIntervalMs' | 'cpuProbe'> {
  target: string;
  apiToken?: string;
  /** The target's enroll secret (default: the scenario's). */
  enrollSecret?: string;
}

/** What the target's GET /metrics is: osqsim's exporter, another Prometheus exporter, or nothing readable. */
export type TargetMetrics = 'osqsim' | 'other' | 'none';

export function classifyMetrics(text: string): TargetMetrics {
  if (/^# TYPE osqsim_http_request_duration_seconds histogram$/m.test(text)) return 'osqsim';
  return /^# TYPE \S+ \S+$/m.test(text) ? 'other' : 'none';
}

/** The figures a sweep of this target cannot measure, said plainly (printed and kept in the sweep file). */
export function notMeasured(metrics: TargetMetrics, apiToken: boolean): string[] {
  const lines = [
    'server CPU and memory (RSS): osqsim did not start the target and cannot read its /proc; read them from your own monitoring for the same windows',
    'store figures (MySQL queries, rows scanned, buffer pool, replication): not visible from outside the server',
    'CPU per request per endpoint (the probe after the last step): it needs the server\'s CPU time',
  ];
  if (metrics !== 'osqsim') {
    lines.push(
      metrics === 'other'
        ? 'server-side request, error and membership-row counts: the target\'s /metrics is not osqsim\'s (Fleet\'s names differ); only the simulator\'s side is measured'
        : 'server-side request, error and membership-row counts: the target has no readable /metrics; only the simulator\'s side is measured',
    );
  }
  if (!apiToken) lines.push('aggregation runs (count strategy timings): give --api-token of an osqsim target to read its stats runs');
  return lines;
}

function loadTargetScenario(file: string, enrollSecret: string | undefined): SweepScenarioSource {
  const base = scenarioOrThrow(readScenario(file));
  const document = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
  // The target is the server: the scenario's server: and target: sections do not apply.
  const { server: _server, target: _target, ...rest } = document;
  const patched = enrollSecret === undefined ? rest : { ...rest, enroll_secret: enrollSecret };
  return { file, document: patched, base: enrollSecret === undefined ? base : { ...base, enroll_secret: enrollSecret } };
}

export async function runTargetSweep(options: TargetSweepOptions): Promise<SweepDocument> {
  const say = options.onProgress ?? (() => undefined);
  const counts = sweepHostCounts(options.from, options.to, options.steps);
  const until = parseUntil(options.until);
  const source = loadTargetScenario(options.scenarioFile, options.enrollSecret);
  checkSweepWindows(source.base, options.warmupMs);
  const requestedMeasureMs = options.measureMs;
  const measureMs = sweepMeasureMs(source.base, options.measureMs);
  const target = options.target.replace(/\/+$/, '');

  const healthy = await fetch(`${target}/healthz`, { signal: AbortSignal.timeout(5000) }).then(
    (r) => ({ ok: true as const, status: r.status }),
    (error: Error & { cause?: { code?: string } }) => ({ ok: false as const, reason: error.cause?.code ?? error.message }),
  );
  if (!healthy.ok) throw osqsimError('SIM_TARGET_UNREACHABLE', { target, reason: healthy.reason });
  const metrics = classifyMetrics(await fetchMetricsText(target, 5000));
  const api = options.apiToken ? new FleetApi(target, options.apiToken) : undefined;
  const server: SweepServer = { url: target, metrics: metrics === 'osqsim', ...(api ? { api } : {}) };
  const policyNames = api ? await fetchPolicyNames(api) : new Map<number, string>();
  const missing = notMeasured(metrics, api !== undefined);

  const document: SweepDocument = {
    schema: SWEEP_SCHEMA,
    scenario: source.base.name,
    started_at: new Date().toISOString(),
    machine: machineInfo(),
    store: 'unknown (the target\'s own)',
    params: {
      from: options.from,
      to: options.to,
      steps: counts.length,
      until: [...options.until],
      warmup_s: options.warmupMs / 1000,
      measure_s: measureMs / 1000,
      policies: policiesPerHost(source.base),
      distributed_interval_s: source.base.agent.distributed_interval / 1000,
      policy_interval_s: Math.min(source.base.server?.policy_update_interval ?? 3_600_000, source.base.server?.detail_update_interval ?? 3_600_000) / 1000,
      config_refresh_s: source.base.agent.config_refresh / 1000,
      logger_tls_period_s: source.base.agent.logger_tls_period / 1000,
    },
    steps: [],
    stopped: { reason: 'completed', step: null, detail: `all ${counts.length} steps ran` },
    target: { url: redactUrl(target), metrics, not_measured: missing },
  };
  if (measureMs !== requestedMeasureMs) say(`measured window rounded up to whole distributed intervals: ${formatDurationMs(measureMs)}`);
  say(`capacity sweep of ${target} (not started by osqsim) with ${source.base.name}: ${counts.map((n) => n.toLocaleString('en-US')).join(' → ')} hosts`);
  say(`target /metrics: ${metrics === 'osqsim' ? 'osqsim\'s (server-side counts measured)' : metrics === 'other' ? 'another exporter (not interpreted)' : 'none'}`);
  for (const line of missing) say(`not measured: ${line}`);
  try {
    for (let i = 0; i < counts.length; i++) {
      const hosts = counts[i]!;
      const scenario = stepScenario(source, hosts, options.warmupMs, measureMs);
      const { doc, window } = await runStep(scenario, server, options, policyNames, undefined);
      const step = buildStep(i + 1, hosts, doc, window, document.params.policies);
      document.steps.push(step);
      say(formatStepLine(step, counts.length));
      const decision = stopDecision(doc, until);
      if (decision.stop) {
        document.stopped = { reason: decision.reason!, step: i + 1, detail: decision.detail };
        say(`stopping after step ${i + 1}: ${decision.detail}`);
        break;
      }
    }
  } catch (error) {
    document.stopped = { reason: 'error', step: document.steps.length, detail: (error as Error).message };
    if (document.steps.length === 0) throw error;
    say(`stopping: ${(error as Error).message}`);
  }
  return document;
}
