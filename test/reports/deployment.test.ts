/**
 * The deployment section of summary.md: per-instance requests, share, CPU and RSS, and which
 * instance held the stats lease when — consecutive count runs on one instance are one stretch.
 */
import { describe, expect, it } from 'vitest';
import type { DeploymentInfo } from '../../contract/result.js';
import { leaseStretches, renderDeployment } from '../../reports/deployment.js';
import { renderSummary } from '../../reports/summary.js';
import { renderHtml } from '../../reports/html.js';
import { syntheticResult } from './fixture.js';
import { combineSamples, leaseHolds, requestsByEndpoint } from '../../scenarios/harness/instance-sampler.js';

const instance = (index: number, requests: number, runs: number) => ({
  index,
  url: `http://127.0.0.1:400${index}`,
  requests,
  requests_by_endpoint: { read: requests },
  cpu_pct_mean: 20 + index,
  cpu_pct_max: 40 + index,
  rss_mb_max: 150,
  lease_held_s: 0,
  stats_runs: runs,
});

const info: DeploymentInfo = {
  load_balancer: 'haproxy',
  targets: ['http://127.0.0.1:9000'],
  instances: [instance(0, 300, 2), instance(1, 300, 1), instance(2, 400, 0)],
  simulator_processes: 2,
  stats_lease: [
    { instance: 0, strategy: 'cron', started_at: '2026-12-05T12:00:02.000Z', t: 2, duration_ms: 10 },
    { instance: 0, strategy: 'cron', started_at: '2026-12-05T12:00:04.000Z', t: 4, duration_ms: 20 },
    { instance: 1, strategy: 'cron', started_at: '2026-12-05T12:00:06.000Z', t: 6, duration_ms: 500 },
  ],
  lease_overlap_s: 0,
};

describe('deployment report', () => {
  it('groups consecutive count runs on one instance into stretches of the stats lease', () => {
    expect(leaseStretches(info)).toEqual([
      { instance: 0, from_t: 2, to_t: 4, runs: 2 },
      { instance: 1, from_t: 6, to_t: 6.5, runs: 1 },
    ]);
  });

  it('summary.md shows instances with their share, the balancer, the lease holders and overlaps', () => {
    const text = renderDeployment(info).join('\n');
    expect(text).toContain('Deployment: 3 server instances, HAProxy (round robin) at http://127.0.0.1:9000; simulator in 2 processes.');
    expect(text).toContain('| 2 | http://127.0.0.1:4002 | 400 | 40.0% | 22% / 42% | 150 MB | 0 |');
    expect(text).toContain('| instance 0 | 2.0s | 4.0s | 2 |');
    expect(text).toContain('One lease holder at a time');
    expect(renderDeployment({ ...info, lease_overlap_s: 3 }).join('\n')).toContain('**3 s in which more than one instance reported holding the stats lease.**');
    const doc = syntheticResult({ hosts: 10 });
    expect(renderSummary(doc)).not.toContain('Deployment:');
    expect(renderDeployment({ ...info, load_balancer: 'none', instances: [], stats_lease: [] })[0]).toBe('Deployment: 1 server instance, no load balancer (the simulator spread hosts over http://127.0.0.1:9000); simulator in 2 processes.');
    expect(renderSummary({ ...doc, deployment: info })).toContain('Deployment: 3 server instances');
    const html = renderHtml({ ...doc, deployment: info });
    expect(html).toContain('<h2>Deployment</h2>');
    expect(html).toMatch(/<tr><td>2<\/td><td class="t">http:\/\/127\.0\.0\.1:4002<\/td><td>400<\/td><td>40\.0%<\/td>/);
    expect(html).toContain('<tr><td>1</td><td>6.0 s</td><td>6.5 s</td><td>1</td></tr>');
    expect(renderHtml(doc)).not.toContain('<h2>Deployment</h2>');
  });

  it('instance readings: samples add across instances, requests by endpoint from /metrics, lease runs mapped to instances', () => {
    expect(combineSamples(5, [
      { t: 5, cpu_pct: 30, rss_mb: 100, event_loop_p99_ms: 2, membership_writes_per_s: 10 },
      { t: 5, cpu_pct: 12.5, rss_mb: 120, event_loop_p99_ms: 9 },
    ])).toEqual({ t: 5, cpu_pct: 42.5, rss_mb: 220, event_loop_p99_ms: 9, membership_writes_per_s: 10 });
    expect(combineSamples(5, [])).toBeUndefined();
    const metrics = [
      'osqsim_http_request_duration_seconds_count{endpoint="read"} 40',
      'osqsim_http_request_duration_seconds_count{endpoint="write"} 12',
      'osqsim_http_request_duration_seconds_count{endpoint="healthz"} 7',
      'osqsim_http_request_duration_seconds_sum{endpoint="read"} 0.4',
    ].join('\n');
    expect(requestsByEndpoint(metrics)).toEqual({ read: 40, write: 12 });
    const start = Date.parse('2026-12-05T12:00:00Z');
    const runs = [
      { id: 2, strategy: 'cron', instance: 'b', started_at: '2026-12-05T12:00:04.000Z', duration_ms: 5, rows_scanned: 1, policies_updated: 1, drift: 0 },
      { id: 1, strategy: 'cron', instance: 'a', started_at: '2026-12-05T12:00:02.000Z', duration_ms: 5, rows_scanned: 1, policies_updated: 1, drift: 0 },
      { id: 0, strategy: 'cron', instance: 'a', started_at: '2026-12-05T11:59:00.000Z', duration_ms: 5, rows_scanned: 1, policies_updated: 1, drift: 0 },
      { id: 3, strategy: 'cron', instance: 'zz', started_at: '2026-12-05T12:00:06.000Z', duration_ms: 5, rows_scanned: 1, policies_updated: 1, drift: 0 },
    ];
    expect(leaseHolds(runs, ['a', 'b'], start).map((h) => [h.instance, h.t])).toEqual([[0, 2], [1, 4], [-1, 6]]);
  });
});
