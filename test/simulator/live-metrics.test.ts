/**
 * `osqsim simulate --metrics-port`: the shard's live figures as Prometheus text. Fed merged seconds
 * (window-merge.ts) built from real worker windows, so the latency buckets come from the exact HDR
 * histograms; checked by promtool when installed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runSimulate } from '../../cli/simulate.js';
import { createHistogram, encodeHistogram, recordMs, bucketCountsSeconds } from '../../lib/histogram.js';
import { LATENCY_BUCKETS_S } from '../../lib/metrics.js';
import { mergeWindows } from '../../simulator/window-merge.js';
import { LiveMetrics, serveLiveMetrics } from '../../simulator/live-metrics.js';
import type { WorkerWindow } from '../../simulator/recorder.js';
import { promtoolCheck, promtoolPath } from '../deploy/support.js';

function workerWindow(t: number, latenciesMs: number[], errors = 0): WorkerWindow {
  const histogram = createHistogram();
  for (const ms of latenciesMs) recordMs(histogram, ms);
  const window = {
    t,
    warmup: false,
    hostsEnrolled: 10,
    endpoints: { read: { count: latenciesMs.length, errors, latency: encodeHistogram(histogram) } },
    checkins: { scheduled: latenciesMs.length, late: 1, maxLagMs: 1200 },
    health: { elu: 0.4, eventLoopP99Ms: 12, inFlight: 3, transport: { written: 0, queueP99Ms: 1, queueMaxMs: 2, limited: 0, limitErrors: {}, peakConnections: 3 } },
  } as unknown as WorkerWindow;
  histogram.destroy();
  return window;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('live shard metrics', () => {
  it('bins an HDR histogram into the Prometheus buckets exactly (away from a bound)', () => {
    const histogram = createHistogram();
    for (const ms of [0.2, 0.7, 3, 3, 40, 40, 40, 700, 20_000]) recordMs(histogram, ms);
    const { counts, above, sumS } = bucketCountsSeconds(histogram, LATENCY_BUCKETS_S);
    const expected = LATENCY_BUCKETS_S.map((bound, i) => [0.2, 0.7, 3, 3, 40, 40, 40, 700, 20_000].filter((ms) => ms / 1000 <= bound && (i === 0 || ms / 1000 > LATENCY_BUCKETS_S[i - 1]!)).length);
    expect(counts).toEqual(expected);
    expect(above).toBe(1);
    expect(sumS).toBeCloseTo(20.8279, 2);
    histogram.destroy();
  });

  it('counts requests, errors and latency per endpoint across seconds and workers', () => {
    const live = new LiveMetrics({ shard: { index: 2, count: 8 }, runHosts: 1_000_000, shardHosts: 125_000 });
    live.observe(mergeWindows(0, [workerWindow(0, [1, 2, 3]), workerWindow(0, [30, 300], 1)]), false);
    live.observe(mergeWindows(1, [workerWindow(1, [4]), workerWindow(1, [7000])]), true);
    const text = live.render();
    expect(text).toContain('osqsim_sim_requests_total{endpoint="read"} 7');
    expect(text).toContain('osqsim_sim_request_errors_total{endpoint="read"} 1');
    expect(text).toContain('osqsim_sim_request_latency_seconds_bucket{endpoint="read",le="0.005"} 4');
    expect(text).toContain('osqsim_sim_request_latency_seconds_bucket{endpoint="read",le="5"} 6');
    expect(text).toContain('osqsim_sim_request_latency_seconds_bucket{endpoint="read",le="+Inf"} 7');
    expect(text).toContain('osqsim_sim_request_latency_seconds_count{endpoint="read"} 7');
    expect(text).toContain('osqsim_sim_hosts 125000');
    expect(text).toContain('osqsim_sim_hosts_enrolled 20');
    expect(text).toContain('osqsim_sim_checkins_total{kind="late"} 4');
    expect(text).toContain('osqsim_sim_generator_saturated 1');
    expect(text).toContain('osqsim_sim_info{run_hosts="1000000",shard="2",shards="8"} 1');
  });

  it.skipIf(promtoolPath() === undefined)('passes promtool check metrics (skipped without promtool: apt-get install prometheus)', () => {
    const live = new LiveMetrics({ shard: { index: 0, count: 2 }, runHosts: 10, shardHosts: 5 });
    live.observe(mergeWindows(0, [workerWindow(0, [1, 2, 3000], 1)]), false);
    expect(promtoolCheck(live.render())).toEqual({ status: 0, output: '' });
    expect(promtoolCheck('# TYPE broken counter\nbroken 1\n').status).not.toBe(0);
  });

  it('serves GET /metrics, answers 404 elsewhere, and names a port already taken', async () => {
    const live = new LiveMetrics({ shard: { index: 0, count: 1 }, runHosts: 5, shardHosts: 5 });
    const served = await serveLiveMetrics(live, 0, '127.0.0.1');
    closers.push(served.close);
    const response = await fetch(`http://127.0.0.1:${served.port}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toContain('osqsim_sim_hosts 5');
    expect((await fetch(`http://127.0.0.1:${served.port}/nope`)).status).toBe(404);
    await expect(serveLiveMetrics(live, served.port, '127.0.0.1')).rejects.toThrow(/--metrics-port: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
  });

  it('osqsim simulate --metrics-port: a bad port or one already taken exits with the reason, before any host starts', async () => {
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
    const live = new LiveMetrics({ shard: { index: 0, count: 1 }, runHosts: 1, shardHosts: 1 });
    const taken = await serveLiveMetrics(live, 0, '0.0.0.0');
    closers.push(taken.close);
    try {
      expect(await runSimulate({ target: 'http://127.0.0.1:1', hosts: '1', metricsPort: 'ninety' })).toBe(2);
      expect(await runSimulate({ target: 'http://127.0.0.1:1', hosts: '1', metricsPort: '70000' })).toBe(2);
      // A reachable target (any listener), and the metrics port already taken.
      expect(await runSimulate({ target: `http://127.0.0.1:${taken.port}`, hosts: '1', metricsPort: String(taken.port), progress: false })).toBe(2);
    } finally {
      vi.restoreAllMocks();
    }
    const text = err.join('');
    expect(text).toMatch(/--metrics-port/);
    expect(text).toMatch(/at most 65535/);
    expect(text).toMatch(/EADDRINUSE/);
  });
});
