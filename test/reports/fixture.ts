/**
 * A synthetic but realistic result document: real HdrHistograms recorded from known latencies, so
 * percentiles, merges and reports can be checked against hand-computed numbers.
 */
import { createHistogram, encodeHistogram, percentilesMs, recordMs } from '../../lib/histogram.js';
import { RESULT_SCHEMA, type EndpointResult, type ResultDocument } from '../../contract/result.js';
import { OUTCOMES, type EndpointName, type Outcome } from '../../contract/vocabulary.js';

export function endpointFrom(latenciesMs: readonly number[], durationS: number, errors: Partial<Record<Outcome, number>> = {}): EndpointResult {
  const latency = createHistogram();
  const service = createHistogram();
  for (const ms of latenciesMs) {
    recordMs(latency, ms);
    recordMs(service, ms * 0.8);
  }
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, errors[o] ?? 0])) as Record<Outcome, number>;
  const errorCount = Object.values(errors).reduce((a, b) => a + (b ?? 0), 0);
  outcomes['2xx'] = latenciesMs.length - errorCount;
  const result: EndpointResult = {
    count: latenciesMs.length,
    outcomes,
    errors: Object.fromEntries(Object.entries(errors).filter(([k]) => k !== '2xx')),
    rate_per_s: Math.round((latenciesMs.length / durationS) * 1000) / 1000,
    latency_ms: percentilesMs(latency),
    service_ms: percentilesMs(service),
    histogram: encodeHistogram(latency),
    service_histogram: encodeHistogram(service),
  };
  latency.destroy();
  service.destroy();
  return result;
}

/** `n` latencies spread evenly over [lo, hi] ms. */
export function spread(n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / Math.max(1, n - 1));
}

export function syntheticResult(overrides: { readLatencies?: number[]; writeLatencies?: number[]; hosts?: number; seed?: number; errors?: Partial<Record<Outcome, number>> } = {}): ResultDocument {
  const duration = 60;
  const read = endpointFrom(overrides.readLatencies ?? spread(1000, 1, 100), duration, overrides.errors ?? {});
  const write = endpointFrom(overrides.writeLatencies ?? spread(200, 5, 250), duration);
  const windows = Array.from({ length: duration }, (_, t) => ({
    t,
    warmup: t < 10,
    hosts_enrolled: Math.min(100, t * 10),
    endpoints: {
      read: { count: 17, errors: t === 30 ? 2 : 0, p50: 20 + t, p99: 90 + t, max: 100 + t },
      write: { count: 3, errors: 0, p50: 30, p99: 240, max: 250 },
    } as Partial<Record<EndpointName, { count: number; errors: number; p50: number; p99: number; max: number }>>,
  }));
  const started = '2026-11-26T14:00:00.000Z';
  return {
    schema: RESULT_SCHEMA,
    scenario: { name: 'synthetic', description: 'A synthetic run for tests', thresholds: ['read.p99 < 200ms'] },
    run: {
      started_at: started,
      duration_s: duration,
      warmup_s: 10,
      hosts: overrides.hosts ?? 100,
      workers: 2,
      connections: 64,
      target: ['http://127.0.0.1:8080'],
      store: 'memory',
      seed: overrides.seed ?? 1,
      osqsim_version: '0.1.0',
      machine: { cpus: 2, cpu_model: 'test cpu', memory_gb: 4, node: 'v20.20.2', platform: 'linux-x64' },
    },
    endpoints: { read, write },
    checkins: { scheduled: 1000, late: 3, max_lag_ms: 1500 },
    windows,
    policies: [
      { id: 1, query: 'SELECT 1;', name: 'Always passes', truth: { passing: 100, failing: 0, unknown: 0 }, server: { passing: 100, failing: 0, updated_at: '2026-11-26T14:00:50Z' }, staleness_s: 4.5, count_error: 0 },
      { id: 2, query: 'SELECT 1 FROM alf WHERE global_state = 1;', name: 'Firewall', truth: { passing: 60, failing: 40, unknown: 0 }, server: { passing: 58, failing: 42, updated_at: '2026-11-26T14:00:50Z' }, staleness_s: 12.25, count_error: 4 },
    ],
    aggregations: [
      { strategy: 'cron', started_at: '2026-11-26T14:00:20.000Z', duration_ms: 12.5, rows: 200, drift: 0 },
      { strategy: 'cron', started_at: '2026-11-26T14:00:40.000Z', duration_ms: 17.25, rows: 200, drift: 0 },
    ],
    server: { samples: Array.from({ length: duration }, (_, t) => ({ t, cpu_pct: 20 + (t % 7), rss_mb: 120 + t / 10, event_loop_p99_ms: 11 + (t % 3), membership_writes_per_s: t % 10 === 0 ? 400 : 0 })) },
    generator: { cpu_pct: 35, event_loop_p99_ms: 12, max_in_flight: 40, saturated: false, warnings: [] },
    thresholds: [{ expr: 'read.p99 < 200ms', value: read.latency_ms.p99, ok: true }],
    timeline: [{ t: 30, kind: 'refetch_hosts', detail: 'refetched 10 hosts (10%)', ok: true }],
    plan: { rates: { enroll: 0, config: 1.7, read: 16.7, write: 3.3, log: 0 }, membership_writes_per_s: 6.6, membership_rows: 200 },
    counts: { samples: Array.from({ length: duration }, (_, t) => ({ t, error_max: t < 20 ? 10 - Math.floor(t / 2) : 0, policies_off: t < 20 ? 1 : 0, staleness_max_s: t < 20 ? t : 0 })) },
  };
}
