/**
 * A sweep's steps, pure: the host counts, the --until conditions and when to stop, and one step's
 * figures from its result document and what the server showed around its measured window.
 */
import { osqsimError } from '../lib/errors.js';
import type { AggregationRun, ResultDocument } from '../contract/result.js';
import { AGENT_ENDPOINTS, ENDPOINT_INFO } from '../contract/vocabulary.js';
import { headline } from '../reports/headline.js';
import type { ProcessStats } from '../scenarios/harness/proc.js';
import { metricValue } from '../reports/metrics.js';
import { compare, parseThreshold, type ThresholdSpec } from '../scenarios/thresholds.js';
import { PLAN_ENDPOINTS, type SweepEndpointStep, type SweepStep } from './sweep-document.js';

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
  for (const name of AGENT_ENDPOINTS) {
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
  let membershipRowsPerS: number | undefined;
  let seen: SweepStep['server_metrics'];
  if (server) {
    // Every agent request the server served (fleetd's included): CPU per request is over all of them.
    const serverRequests = AGENT_ENDPOINTS.reduce((sum, name) => sum + delta(server, `osqsim_http_request_duration_seconds_count{endpoint="${name}"}`), 0);
    const writes = delta(server, 'osqsim_http_request_duration_seconds_count{endpoint="write"}');
    const rowsWritten = delta(server, 'osqsim_ingest_rows_total');
    const hasProcess = server.before !== undefined && server.after !== undefined;
    const windowS = hasProcess ? (server.after!.atMs - server.before!.atMs) / 1000 : measuredS;
    if (server.metricsAfter.has('osqsim_ingest_rows_total')) membershipRowsPerS = rowsWritten / windowS;
    // CPU and RSS only from the process osqsim started (/proc); a target's are not visible from here.
    if (hasProcess) {
      const cpuMs = server.after!.cpuMs - server.before!.cpuMs;
      serverPart = {
        cpu_ms: cpuMs,
        cpu_pct: windowS > 0 ? (cpuMs / 10 / windowS) : 0,
        cpu_ms_per_req: serverRequests > 0 ? cpuMs / serverRequests : null,
        rss_mb: server.after!.rssMb,
        store_queries_per_req: null,
        rows_written_per_req: writes > 0 ? rowsWritten / writes : null,
      };
    }
    if (server.metricsAfter.size > 0) {
      seen = {
        requests_per_s: serverRequests / windowS,
        errors_per_s: [...server.metricsAfter.keys()].filter((key) => key.startsWith('osqsim_http_errors_total')).reduce((sum, key) => sum + delta(server, key), 0) / windowS,
        rows_written_per_req: server.metricsAfter.has('osqsim_ingest_rows_total') && writes > 0 ? rowsWritten / writes : null,
      };
    }
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
    ...(seen !== undefined ? { server_metrics: seen } : {}),
    membership_rows_per_s: membershipRowsPerS ?? (doc.endpoints.write?.rate_per_s ?? 0) * policiesInScope,
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
  const fleetdRate = AGENT_ENDPOINTS.filter((name) => ENDPOINT_INFO[name].kind !== 'osquery').reduce((sum, name) => sum + (step.endpoints[name]?.rate_per_s ?? 0), 0);
  if (fleetdRate > 0) parts.push(`fleetd (orbit + Desktop) ${fleetdRate.toFixed(1)}/s`);
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
