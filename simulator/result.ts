/**
 * The result document of one simulator run (contract/result.ts): the workers' totals merged (outcome
 * counts add, HDR histograms merge exactly), ground truth merged and named, and the run's facts.
 */
import { redactSecrets } from '../lib/redact.js';
import { createHistogram, encodeHistogram, mergeInto, percentilesMs, type Histogram } from '../lib/histogram.js';
import type { MachineInfo } from '../lib/machine.js';
import { VERSION } from '../lib/version.js';
import { cpus } from 'node:os';
import { RESULT_SCHEMA, sumAgentBehaviour, type EndpointResult, type PolicyResult, type ResultDocument, type Window } from '../contract/result.js';
import type { SimulationSpec } from '../contract/fleet-spec.js';
import { AGENT_ENDPOINTS, OUTCOMES, type Outcome } from '../contract/vocabulary.js';
import { normalizeQuery } from './fleet/answers.js';
import { mergeTruth } from './fleet/truth.js';
import type { ShardRef } from './identity.js';
import type { ShardResult } from './protocol.js';
import { classifySaturation } from './saturation.js';

export interface ResultInput {
  scenario: SimulationSpec;
  targets: readonly string[];
  /** Store label for the run info (the harness knows it; the simulator does not). */
  store: string | undefined;
  /** Policy id → name from the server's API; otherwise policies are named by their query. */
  policyNames: ReadonlyMap<number, string> | undefined;
  shard: ShardRef;
  /** run.run_id (absent only in tests that build a result by hand). */
  runId?: string;
  workers: number;
  connections: number;
  connectionMode: 'elastic' | 'fixed';
  startedAt: string;
  durationS: number;
  /** Seconds after the warm-up: the denominator of the rates. */
  measuredS: number;
  results: readonly ShardResult[];
  windows: Window[];
  generator: ResultDocument['generator'];
  hosts: number;
  machine: MachineInfo;
}

export function buildResult(input: ResultInput): ResultDocument {
  const { scenario, results } = input;
  const endpoints: ResultDocument['endpoints'] = {};
  for (const name of AGENT_ENDPOINTS) {
    const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
    const latency = createHistogram();
    const service = createHistogram();
    for (const r of results) {
      const e = r.totals.endpoints[name];
      if (e === undefined) continue; // a fleetd endpoint this worker never called
      for (const o of OUTCOMES) outcomes[o] += e.outcomes[o];
      mergeInto(latency, e.latency);
      mergeInto(service, e.service);
    }
    const count = OUTCOMES.reduce((s, o) => s + outcomes[o], 0);
    if (count > 0) endpoints[name] = endpointResult(outcomes, count, input.measuredS, latency, service);
    latency.destroy();
    service.destroy();
  }
  const checkins = {
    scheduled: results.reduce((s, r) => s + r.totals.checkins.scheduled, 0),
    late: results.reduce((s, r) => s + r.totals.checkins.late, 0),
    max_lag_ms: Math.max(0, ...results.map((r) => r.totals.checkins.max_lag_ms)),
  };
  const byQuery = new Map(scenario.policies.filter((p) => p.query).map((p) => [normalizeQuery(p.query!), p.name]));
  const policies: PolicyResult[] = mergeTruth(results.map((r) => r.truth)).map((p) => {
    const name = input.policyNames?.get(p.id) ?? byQuery.get(normalizeQuery(p.query));
    return { id: p.id, query: p.query, ...(name !== undefined ? { name } : {}), truth: p.counts };
  });
  return {
    schema: RESULT_SCHEMA,
    // The spec as run, credentials masked: result files are shared, the enroll secret is not.
    scenario: redactSecrets(scenario) as unknown as Record<string, unknown>,
    run: {
      started_at: input.startedAt,
      duration_s: Math.round(input.durationS * 1000) / 1000,
      warmup_s: scenario.warmup / 1000,
      hosts: input.hosts,
      workers: input.workers,
      connections: input.connections,
      connection_mode: input.connectionMode,
      target: [...input.targets],
      store: input.store ?? 'unknown',
      seed: scenario.seed,
      ...(input.runId !== undefined ? { run_id: input.runId } : {}),
      ...(input.shard.count > 1 ? { shard: input.shard } : {}),
      osqsim_version: VERSION,
      machine: input.machine,
    },
    endpoints,
    checkins,
    windows: input.windows,
    policies,
    aggregations: [],
    generator: withSaturationVerdict(input.generator, endpoints),
    agents: sumAgentBehaviour(results.map((r) => r.agents)),
    thresholds: [],
  };
}

function endpointResult(
  outcomes: Record<Outcome, number>,
  count: number,
  measuredS: number,
  latency: Histogram,
  service: Histogram,
): EndpointResult {
  const errors: EndpointResult['errors'] = {};
  for (const o of OUTCOMES) if (o !== '2xx' && outcomes[o] > 0) errors[o] = outcomes[o];
  return {
    count,
    outcomes,
    errors,
    rate_per_s: Math.round((count / measuredS) * 100) / 100,
    latency_ms: percentilesMs(latency),
    service_ms: percentilesMs(service),
    histogram: encodeHistogram(latency),
    service_histogram: encodeHistogram(service),
  };
}

/** The generator's health with the run's verdict: which side was saturated, and why (the capacity sweep re-judges its measured window with it). */
export function withSaturationVerdict(generator: ResultDocument['generator'], endpoints: ResultDocument['endpoints']): ResultDocument['generator'] {
  const verdict = classifySaturation({
    generatorWarnings: generator.warnings,
    ...(generator.load_avg_max !== undefined ? { machine: { loadAvgMax: generator.load_avg_max, cpus: cpus().length } } : {}),
    endpoints: Object.fromEntries(
      Object.entries(endpoints).map(([name, e]) => [name, { count: e!.count, serviceP99Ms: e!.service_ms.p99, timeouts: e!.outcomes.timeout, serverErrors: e!.outcomes['5xx'] }]),
    ),
  });
  return { ...generator, saturated_side: verdict.side, saturation_reasons: verdict.reasons };
}
