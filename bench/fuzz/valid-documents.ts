/**
 * Valid documents of each file format, the starting points of near-valid mutations: a result
 * document (real HdrHistograms), a sweep file, a scenario and a fleetctl file. Kept small: the
 * fuzzer mutates them thousands of times.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SWEEP_SCHEMA, type SweepDocument, type SweepStep } from '../../capacity/sweep-document.js';
import { RESULT_SCHEMA, type EndpointResult, type ResultDocument } from '../../contract/result.js';
import { OUTCOMES, type Outcome } from '../../contract/vocabulary.js';
import { createHistogram, encodeHistogram, percentilesMs, recordMs } from '../../lib/histogram.js';

function endpoint(latenciesMs: readonly number[], durationS: number): EndpointResult {
  const latency = createHistogram();
  for (const ms of latenciesMs) recordMs(latency, ms);
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  outcomes['2xx'] = latenciesMs.length;
  const result: EndpointResult = {
    count: latenciesMs.length, outcomes, errors: {}, rate_per_s: latenciesMs.length / durationS,
    latency_ms: percentilesMs(latency), service_ms: percentilesMs(latency), histogram: encodeHistogram(latency), service_histogram: encodeHistogram(latency),
  };
  latency.destroy();
  return result;
}

/** Shard `shard` of `shards` of one run (merge needs two shards of the same run). */
export function validResult(shard = 0, shards = 2): ResultDocument {
  const duration = 10;
  return {
    schema: RESULT_SCHEMA,
    scenario: { name: 'fuzz', description: 'fuzz', thresholds: ['read.p99 < 200ms'] },
    run: {
      started_at: '2026-12-05T12:00:00.000Z', duration_s: duration, warmup_s: 2, hosts: 10, workers: 1, connections: 4, target: ['http://127.0.0.1:8080'],
      store: 'memory', seed: 1, osqsim_version: '0.1.0', machine: { cpus: 2, cpu_model: 'fuzz', memory_gb: 1, node: 'v20', platform: 'linux-x64' },
      run_id: 'fuzz-run', shard: { index: shard, count: shards },
    } as ResultDocument['run'],
    endpoints: { read: endpoint([1, 2, 3, 50], duration), write: endpoint([5, 10], duration) },
    checkins: { scheduled: 10, late: 0, max_lag_ms: 0 },
    windows: [{ t: 0, warmup: true, hosts_enrolled: 10, endpoints: { read: { count: 2, errors: 0, p50: 1, p99: 3, max: 3 } } }, { t: 5, warmup: false, hosts_enrolled: 10, endpoints: { read: { count: 2, errors: 0, p50: 2, p99: 50, max: 50 } } }],
    policies: [{ id: 1, query: 'SELECT 1;', name: 'p', truth: { passing: 10, failing: 0, unknown: 0 }, server: { passing: 10, failing: 0, updated_at: '2026-12-05T12:00:05Z' }, staleness_s: 1, count_error: 0 }],
    aggregations: [{ strategy: 'cron', started_at: '2026-12-05T12:00:05.000Z', duration_ms: 1, rows: 10, drift: 0 }],
    server: { samples: [{ t: 0, cpu_pct: 10, rss_mb: 100, event_loop_p99_ms: 10, membership_writes_per_s: 0 }] },
    generator: { cpu_pct: 10, event_loop_p99_ms: 10, max_in_flight: 4, saturated: false, warnings: [] },
    thresholds: [{ expr: 'read.p99 < 200ms', value: 50, ok: true }],
    timeline: [{ t: 5, kind: 'refetch_hosts', detail: 'refetched 1 host', ok: true }],
    plan: { rates: { enroll: 0, config: 1, read: 1, write: 0.2, log: 0 }, membership_writes_per_s: 1, membership_rows: 10 },
    counts: { samples: [{ t: 0, error_max: 0, policies_off: 0, staleness_max_s: 0 }] },
  } as ResultDocument;
}

function sweepStep(index: number, hosts: number): SweepStep {
  const latency = { p50: 1, p90: 2, p99: 5, p999: 8, max: 10 };
  return {
    index, hosts, warmup_s: 5, measured_s: 10,
    endpoints: {
      read: { count: hosts, rate_per_s: hosts / 10, errors: 0, cpu_ms_per_req: 0.1, latency_ms: latency },
      write: { count: hosts / 6, rate_per_s: hosts / 60, errors: 0, cpu_ms_per_req: 2, latency_ms: latency },
    },
    requests_per_s: hosts / 10 + hosts / 60,
    server: { cpu_ms: 500 + hosts, cpu_pct: 10, cpu_ms_per_req: 0.2, rss_mb: 100 + hosts / 1024, store_queries_per_req: null, rows_written_per_req: null },
    membership_rows_per_s: hosts / 6, membership_rows: hosts * 10,
    aggregations: [{ strategy: 'cron', duration_ms: 20 + hosts / 100, rows: hosts * 10 }],
    generator: { saturated: false, warnings: [], cpu_pct: 20 },
    errors_rate: 0,
  } as SweepStep;
}

export function validSweep(): SweepDocument {
  return {
    schema: SWEEP_SCHEMA, scenario: 'fuzz', started_at: '2026-12-05T12:00:00Z',
    machine: { cpus: 2, cpu_model: 'fuzz', memory_gb: 1, node: 'v20', platform: 'linux' }, store: 'memory',
    params: { from: 1000, to: 4000, steps: 3, until: [], warmup_s: 5, measure_s: 10, policies: 10, distributed_interval_s: 10, policy_interval_s: 60, config_refresh_s: 60, logger_tls_period_s: 10 },
    steps: [sweepStep(0, 1000), sweepStep(1, 2000), sweepStep(2, 4000)],
    stopped: { reason: 'completed', step: null, detail: '' },
  } as SweepDocument;
}

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** The quickstart scenario (its policies inline after resolution are not needed: it names none by file). */
export const validScenarioText = (): string => readFileSync(here('../../scenarios/quickstart.yaml'), 'utf8');

export const validFleetctlText = (): string => `---
apiVersion: v1
kind: label
spec:
  name: fuzz label
  query: SELECT 1 FROM os_version WHERE platform = 'darwin';
  platform: darwin
  label_membership_type: dynamic
---
apiVersion: v1
kind: policy
spec:
  name: Firewall enabled
  query: SELECT 1 FROM alf WHERE global_state >= 1;
  description: Checks the firewall.
  resolution: Turn it on.
  platform: darwin
  critical: true
  team: ""
  labels_include_any: [fuzz label]
---
apiVersion: v1
kind: report
spec:
  name: uptime
  query: SELECT * FROM uptime;
  interval: 3600
  team: ""
  platform: ""
  logging: snapshot
`;
