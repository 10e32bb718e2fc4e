/**
 * report.html, summary.md and thresholds cover fleetd's endpoints (orbit, Fleet Desktop) beside
 * osquery's, and draw no fleetd charts for an osquery-only run.
 */
import { describe, expect, it } from 'vitest';
import { renderHtml, reportData } from '../../reports/html.js';
import { renderSummary } from '../../reports/summary.js';
import { metricValue } from '../../reports/metrics.js';
import { endpointFrom, spread, syntheticResult } from './fixture.js';
import { drawCharts } from './chart-stub.js';

function fleetdResult() {
  const doc = syntheticResult();
  doc.endpoints.orbit_config = endpointFrom(spread(200, 2, 40), 60);
  doc.endpoints.device_ping = endpointFrom(spread(600, 1, 10), 60);
  for (const w of doc.windows) {
    w.endpoints.orbit_config = { count: 3, errors: 0, p50: 5, p99: 30, max: 40 };
    w.endpoints.device_ping = { count: 10, errors: w.t === 40 ? 1 : 0, p50: 2, p99: 8, max: 10 };
  }
  doc.plan!.rates.orbit_config = 3.3;
  doc.plan!.rates.device_ping = 10;
  return doc;
}

describe('report of a run with fleetd hosts', () => {
  it('has a fleetd table and fleetd rate, latency and distribution charts, drawn from the windows', () => {
    const doc = fleetdResult();
    const html = renderHtml(doc);
    expect(html).toContain('<table id="fleetd-endpoints">');
    expect(html).toMatch(/<tr><td>orbit_config<\/td><td class="t">orbit<\/td><td class="t"><code>POST \/api\/fleet\/orbit\/config<\/code><\/td><td>3\.3<\/td><td>0\.0333<\/td><td>3\.3<\/td><\/tr>/);
    expect(html).toMatch(/<tr><td>device_ping<\/td><td class="t">desktop<\/td>/);
    expect(html).toContain('<td title="HEAD /api/fleet/device/ping">device_ping</td><td class="t">desktop</td>');
    const { charts, emptied } = drawCharts(html);
    expect(emptied).toEqual([]);
    const rate = charts.find((c) => c.id === 'chart-fleetd-rate')!;
    expect(rate.labels).toEqual(['orbit_config', 'device_ping']);
    expect(rate.columns[2]).toEqual(doc.windows.map(() => 10));
    expect(charts.find((c) => c.id === 'chart-fleetd-latency')!.labels).toEqual(['orbit_config p99', 'orbit_config p50', 'device_ping p99', 'device_ping p50']);
    expect(charts.find((c) => c.id === 'chart-fleetd-distribution')!.labels).toEqual(['orbit_config', 'device_ping']);
    // osquery's charts keep osquery's series; the errors chart has every endpoint.
    expect(charts.find((c) => c.id === 'chart-rate')!.labels).toEqual(['read', 'write']);
    expect(charts.find((c) => c.id === 'chart-errors')!.labels).toEqual(['read', 'write', 'orbit_config', 'device_ping']);
    expect(reportData(doc).derived.distribution.device_ping!.length).toBeGreaterThan(0);
  });

  it('summary.md gives the requests per host by sender', () => {
    const md = renderSummary(fleetdResult());
    expect(md).toMatch(/Requests per host by sender: osquery 0\.\d{4}, orbit 0\.0333, desktop 0\.1000, all 0\.\d{4} req\/s\/host\./);
    expect(md).toContain('| orbit_config |');
    expect(renderSummary(syntheticResult())).not.toContain('by sender');
  });

  it('thresholds and compare can name fleetd endpoints', () => {
    const doc = fleetdResult();
    expect(metricValue(doc, 'orbit_config.p99')).toBe(doc.endpoints.orbit_config!.latency_ms.p99);
    expect(metricValue(doc, 'device_ping.rate')).toBe(doc.endpoints.device_ping!.rate_per_s);
    expect(metricValue(syntheticResult(), 'orbit_config.p99')).toBeNull();
  });

  it('an osquery-only run gets no fleetd section and no empty fleetd charts', () => {
    const html = renderHtml(syntheticResult());
    expect(html).not.toContain('fleetd-endpoints');
    expect(html).not.toContain('id="chart-fleetd');
    const { charts } = drawCharts(html);
    expect(charts.some((c) => c.id.startsWith('chart-fleetd'))).toBe(false);
    expect(charts.length).toBe(9);
  });
});
