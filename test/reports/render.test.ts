import { describe, expect, it } from 'vitest';
import { extractReportData, renderHtml, reportData, scriptJson } from '../../reports/html.js';
import { drawCharts } from './chart-stub.js';
import { renderSummary } from '../../reports/summary.js';
import { syntheticResult } from './fixture.js';

describe('report.html', () => {
  const doc = syntheticResult();
  const html = renderHtml(doc);

  it('embeds the result document unchanged as JSON', () => {
    const data = extractReportData(html);
    expect(data.result).toEqual(JSON.parse(JSON.stringify(doc)));
    expect(data.result.endpoints.read!.latency_ms.p99).toBe(doc.endpoints.read!.latency_ms.p99);
  });

  it('is self-contained: uPlot and its CSS inlined, nothing fetched', () => {
    expect(html).toContain('uPlot');
    expect(html).toContain('.uplot');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).not.toMatch(/url\(\s*['"]?https?:/);
    expect(html).not.toMatch(/@import/);
  });

  it('has every chart and table the report promises', () => {
    for (const id of ['chart-rate', 'chart-errors', 'chart-latency', 'chart-distribution', 'chart-aggregation', 'chart-membership', 'chart-server', 'chart-counts', 'chart-policies', 'thresholds', 'headline', 'policies', 'timeline']) {
      expect(html).toContain(`id="${id}"`);
    }
  });

  it('sets the plan beside the measurement', () => {
    expect(html).toContain('planned req/s');
    expect(html).toMatch(/<td>16\.7<\/td><\/tr>/);
    expect(renderSummary(doc)).toContain('Planned (osqsim scenario plan, after warm-up): read 16.7, write 3.3 req/s');
  });

  it('shows the headline numbers in the table', () => {
    expect(html).toContain('refetched 10 hosts');
    expect(html).toContain('read.p99 &lt; 200ms');
  });

  it('escapes text that would break out of the data element', () => {
    const hostile = syntheticResult();
    hostile.scenario.description = '</script><script>alert(1)</script>';
    const page = renderHtml(hostile);
    expect(page).not.toContain('</script><script>alert(1)');
    expect(extractReportData(page).result.scenario.description).toBe('</script><script>alert(1)</script>');
    expect(scriptJson('</')).toBe('"\\u003c/"');
  });

  it('derives a latency distribution from the histograms that matches the percentiles', () => {
    const data = reportData(doc);
    const read = data.derived.distribution.read!;
    const p99 = read.find(([p]) => p === 99)![1];
    expect(p99).toBeCloseTo(doc.endpoints.read!.latency_ms.p99, 1);
    expect(data.derived.aggregations.map((a) => a.t)).toEqual([20, 40]);
  });

  it('draws every chart from the embedded data (client script run against a stub DOM and uPlot)', () => {
    const { charts, window } = drawCharts(html);
    expect(charts.map((c) => c.id).sort()).toEqual(['chart-aggregation', 'chart-counts', 'chart-distribution', 'chart-errors', 'chart-latency', 'chart-membership', 'chart-policies', 'chart-rate', 'chart-server']);
    const rate = charts.find((c) => c.id === 'chart-rate')!;
    expect(rate.columns[1]).toEqual(doc.windows.map((w) => w.endpoints.read!.count));
    expect(window.__osqsimCharts).toHaveLength(9);
  });
});

describe('summary.md', () => {
  it('holds the headline table with the document\'s numbers', () => {
    const doc = syntheticResult({ errors: { '5xx': 10 } });
    const md = renderSummary(doc);
    expect(md).toContain('# osqsim run: synthetic');
    expect(md).toMatch(/\| read \| 1,000 \| [\d.]+ \| [\d.]+ \| 10 \(1\.00%\) \|/);
    expect(md).toContain('| `read.p99 < 200ms` |');
    expect(md).toContain('max error vs truth | 4 hosts (2 policies scored)');
    expect(md).toContain('12.3 s');
  });

  it('shows req/s per host per endpoint, fleetd endpoints included', () => {
    const doc = syntheticResult();
    const read = doc.endpoints.read!;
    doc.endpoints.read = { ...read, rate_per_s: 10 };
    doc.endpoints.orbit_config = { ...read, rate_per_s: 3.33 };
    const md = renderSummary(doc);
    expect(md).toContain('| endpoint | requests | req/s | req/s/host |');
    expect(md).toMatch(/\| read \| [\d,]+ \| 10\.0 \| 0\.1000 \|/);
    expect(md).toMatch(/\| orbit_config \| [\d,]+ \| [\d.]+ \| 0\.0333 \|/);
  });

  it('lists what the agents\' failure rules did, only when they did something', () => {
    const doc = syntheticResult();
    expect(renderSummary(doc)).not.toContain('failure rules');
    doc.agents = { write_results_retained: 12, write_results_resent: 10, write_results_dropped: 0, enroll_gave_up: 0, crashes: 1, crash_results_lost: 2, denylisted_answers: 3, batches_aborted: 0, log_lines_purged: 0, orbit_reenrolls: 0 };
    const md = renderSummary(doc);
    expect(md).toContain("| agents (osquery's failure rules) | write results retained 12, re-sent 10, dropped 0; crashes 1 (results lost 2); denylisted answers 3 |");
  });

  it('says how many orbit hosts re-enrolled after 401s (the 4xx on orbit_config / orbit_device_token they follow)', () => {
    const doc = syntheticResult();
    doc.agents = { write_results_retained: 0, write_results_resent: 0, write_results_dropped: 0, enroll_gave_up: 0, crashes: 0, crash_results_lost: 0, denylisted_answers: 0, batches_aborted: 0, log_lines_purged: 0, orbit_reenrolls: 4 };
    expect(renderSummary(doc)).toContain('orbit re-enrolls after 45 s of 401s 4 |');
    // A document written before the counter existed.
    delete (doc.agents as Partial<typeof doc.agents>).orbit_reenrolls;
    expect(renderSummary(doc)).not.toContain('orbit re-enrolls');
  });

  it('warns loudly when the generator was saturated', () => {
    const doc = syntheticResult();
    doc.generator.saturated = true;
    doc.generator.warnings = ['GENERATOR SATURATED: test'];
    expect(renderSummary(doc)).toContain('> **Saturated: the generator (the simulator)** — latencies may be the simulator\'s, not the server\'s. GENERATOR SATURATED: test');
    expect(renderSummary(doc)).toContain('| saturated side | generator |');
  });

  it('names the target when the verdict says the server was saturated', () => {
    const doc = syntheticResult();
    doc.generator.saturated_side = 'target';
    doc.generator.saturation_reasons = ['TARGET SATURATED: read service time p99 900 ms (≥ 500 ms), while the generator kept its schedule'];
    doc.generator.client_queue_p99_ms = 2;
    const summary = renderSummary(doc);
    expect(summary).toContain('> **Saturated: the target (the server)** — its service time, not the simulator, sets the latency. TARGET SATURATED: read service time p99 900 ms');
    expect(summary).toContain('client queue p99 2');
    expect(summary).toContain('| saturated side | target |');
    expect(renderHtml(doc)).toContain('<b>Saturated: the target (the server)</b>');
  });

  it('says no side was saturated when neither was', () => {
    const summary = renderSummary(syntheticResult());
    expect(summary).not.toContain('Saturated:');
    expect(summary).toContain('| saturated side | none |');
  });

  it('says when the run used the what-if edited-policies mode (summary and report), and not otherwise', () => {
    const doc = syntheticResult();
    doc.run.edited_policies = 'fleet';
    expect(renderSummary(doc)).not.toContain('edited policies');
    expect(renderHtml(doc)).toContain('fleet: re-run at the normal policy interval (as Fleet)');
    doc.run.edited_policies = 'immediate';
    expect(renderSummary(doc).split('\n')[2]).toContain('edited policies: immediate (what-if, not Fleet\'s behaviour)');
    expect(renderHtml(doc)).toContain('immediate: re-run at the next read (a what-if, not Fleet\'s behaviour)');
  });
});

describe('threshold values carry their unit (report.html, summary.md)', () => {
  it('shows 102 ms / 0.050% / 10 s rather than bare numbers', () => {
    const doc = syntheticResult();
    doc.thresholds = [
      { expr: 'read.p99 < 200ms', value: 101.759, ok: true },
      { expr: 'errors.rate < 0.1%', value: 0.0005, ok: true },
      { expr: 'counts.staleness.max < 15s', value: 10, ok: true },
      { expr: 'server.rss.max < 500MB', value: null, ok: false, no_data: true },
    ];
    const summary = renderSummary(doc);
    expect(summary).toContain('| `read.p99 < 200ms` | 102 ms | pass |');
    expect(summary).toContain('| `errors.rate < 0.1%` | 0.050% | pass |');
    expect(summary).toContain('| `counts.staleness.max < 15s` | 10 s | pass |');
    expect(summary).toContain('| `server.rss.max < 500MB` | no data | **FAIL** |');
    const html = renderHtml(doc);
    expect(html).toContain('<td><code>read.p99 &lt; 200ms</code></td><td>102 ms</td>');
  });
});

describe('server traffic per query kind', () => {
  const doc = syntheticResult();
  doc.server = {
    samples: doc.server?.samples ?? [],
    traffic: {
      detail_queries_sent: 1200,
      detail_results: { stored: 1100, ignored: 3, error: 2, store_failed: 0 },
      vitals_rows_written: 45000,
      label_queries_sent: 800,
      label_results: { member: 500, not_member: 290, error: 10 },
      log_results_received: 70,
      log_results_stored: 66,
      log_result_rows: 910,
    },
  };

  it('is a table in summary.md and report.html', () => {
    const summary = renderSummary(doc);
    expect(summary).toContain('| host vitals (detail) | 1,200 | 1,105 (3 ignored, 2 errors) | 1,100 | 45,000 vitals rows written |');
    expect(summary).toContain('| labels | 800 | 800 (member 500, not member 290, error 10) | 790 | – |');
    expect(summary).toContain('| scheduled queries (/log) | – | 70 result lines | 66 | 910 result rows received |');
    const html = renderHtml(doc);
    expect(html).toContain('<table id="traffic">');
    expect(html).toContain('<td>45,000 vitals rows written</td>');
  });

  it('is absent from results without it (older results still render)', () => {
    const old = syntheticResult();
    expect(renderSummary(old)).not.toContain('Server traffic by query kind');
    expect(renderHtml(old)).not.toContain('id="traffic"');
  });
});
