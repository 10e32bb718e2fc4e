import { describe, expect, it } from 'vitest';
import { RESULT_SCHEMA, type ResultDocument } from '../../contract/result.js';
import { buildStep, parseUntil, stopDecision, sweepHostCounts } from '../../capacity/sweep-steps.js';

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
