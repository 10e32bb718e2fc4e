/** Sweep documents for the capacity tests: linear, hand-checkable figures. */
import { SWEEP_SCHEMA, type SweepDocument, type SweepStep } from '../../capacity/sweep-document.js';

export function sweepStep(index: number, hosts: number, overrides: Partial<SweepStep> = {}): SweepStep {
  const reads = hosts / 10;
  const writes = hosts / 60;
  const latency = { p50: 1, p90: 2, p99: 5, p999: 8, max: 10 };
  return {
    index,
    hosts,
    warmup_s: 5,
    measured_s: 10,
    endpoints: {
      read: { count: reads * 10, rate_per_s: reads * 0.98, errors: 0, cpu_ms_per_req: 0.1, latency_ms: latency },
      write: { count: writes * 10, rate_per_s: writes, errors: 0, cpu_ms_per_req: 2, latency_ms: latency },
    },
    requests_per_s: reads * 0.98 + writes,
    server: { cpu_ms: 10 * (50 + 0.2 * (reads + writes)), cpu_pct: 10, cpu_ms_per_req: 0.2, rss_mb: 100 + hosts / 1024, store_queries_per_req: null, rows_written_per_req: null },
    membership_rows_per_s: (hosts * 10) / 60,
    membership_rows: hosts * 10,
    aggregations: [{ strategy: 'cron', duration_ms: 20 + (hosts * 10) / 1000, rows: hosts * 10 }],
    generator: { saturated: false, warnings: [], cpu_pct: 20 },
    errors_rate: 0,
    ...overrides,
  };
}

export function sweepOf(steps: SweepStep[]): SweepDocument {
  return {
    schema: SWEEP_SCHEMA,
    scenario: 'test',
    started_at: '2026-11-26T00:00:00Z',
    machine: { cpus: 2, cpu_model: 'test', memory_gb: 1, node: 'v20', platform: 'linux' },
    store: 'memory',
    params: {
      from: 1000, to: 8000, steps: steps.length, until: [], warmup_s: 5, measure_s: 10,
      policies: 10, distributed_interval_s: 10, policy_interval_s: 60, config_refresh_s: 60, logger_tls_period_s: 10,
    },
    steps,
    stopped: { reason: 'completed', step: null, detail: '' },
  };
}

