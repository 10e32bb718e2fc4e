/**
 * report.html of a capacity sweep (runs/<timestamp>-capacity/): the measured figures per step as points
 * and the fitted model (model.ts, calibrate.ts) drawn over them as lines. Self-contained: uPlot is
 * inlined (reports/html.ts) and the data travels in <script id="osqsim-capacity-data">.
 */
import { escapeHtml, scriptJson, uplotAssets } from '../reports/html.js';
import { formatInteger, formatNumber } from '../lib/format.js';
import { calibrate, sweepIntervalOf, type SweepCalibration } from './calibrate.js';
import { median, type LinearFit } from './fit.js';
import { stepRange } from './format.js';
import { FLEETD_PLAN_ENDPOINTS, PLAN_ENDPOINTS, type PlanEndpoint, type SweepDocument } from './sweep-document.js';

/** One chart: x values, measured series (points) and model series (lines) over the same x. */
export interface CapacityChart {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  x: number[];
  series: Array<{ label: string; kind: 'measured' | 'model'; values: Array<number | null> }>;
  note: string;
}

export interface CapacityReportData {
  sweep: SweepDocument;
  charts: CapacityChart[];
}

const line = (fit: LinearFit | null | undefined, x: number): number | null => (fit ? fit.intercept + fit.slope * x : null);

function fitNote(fit: LinearFit | null | undefined, what: string): string {
  if (!fit) return `${what}: no fit (no usable steps)`;
  return `${what}: fit over ${stepRange(fit.steps)}: ${formatNumber(fit.intercept, 3)} + ${formatNumber(fit.slope, 6)}·x${fit.r2 === null ? '' : ` (R² ${formatNumber(fit.r2, 3)})`}`;
}

export function capacityCharts(sweep: SweepDocument, calibration: SweepCalibration = calibrate(sweep)): CapacityChart[] {
  const steps = sweep.steps;
  const hosts = steps.map((step) => step.hosts);
  const charts: CapacityChart[] = [];

  const rateSeries: CapacityChart['series'] = [];
  const notes: string[] = [];
  for (const endpoint of PLAN_ENDPOINTS) {
    if (!steps.some((step) => (step.endpoints[endpoint]?.count ?? 0) > 0)) continue;
    rateSeries.push({ label: `${endpoint} measured`, kind: 'measured', values: steps.map((step) => step.endpoints[endpoint]?.rate_per_s ?? null) });
    const per = calibration.perHostPerInterval[endpoint];
    const interval = sweepIntervalOf(endpoint, sweep.params);
    rateSeries.push({ label: `${endpoint} model`, kind: 'model', values: hosts.map((h) => (per ? (h / interval) * per.value : h / interval)) });
    notes.push(per ? `${endpoint}: ${formatNumber(per.value, 3)} requests per host per ${interval} s (${stepRange(per.fit.steps)})` : `${endpoint}: hosts / ${interval} s`);
  }
  // fleetd's endpoints (a sweep of a scenario with fleetd hosts): measured only, their model is the plan's tickers.
  for (const endpoint of FLEETD_PLAN_ENDPOINTS) {
    if (!steps.some((step) => (step.endpoints[endpoint]?.count ?? 0) > 0)) continue;
    rateSeries.push({ label: `${endpoint} measured`, kind: 'measured', values: steps.map((step) => step.endpoints[endpoint]?.rate_per_s ?? null) });
  }
  charts.push({ id: 'rates', title: 'Request rate per endpoint', xLabel: 'hosts', yLabel: 'req/s', x: hosts, series: rateSeries, note: notes.join('; ') });

  const latencySeries: CapacityChart['series'] = [];
  for (const endpoint of PLAN_ENDPOINTS) {
    if (!steps.some((step) => (step.endpoints[endpoint]?.count ?? 0) > 0)) continue;
    latencySeries.push({ label: `${endpoint} p50`, kind: 'measured', values: steps.map((step) => step.endpoints[endpoint]?.latency_ms.p50 ?? null) });
    latencySeries.push({ label: `${endpoint} p99`, kind: 'measured', values: steps.map((step) => step.endpoints[endpoint]?.latency_ms.p99 ?? null) });
  }
  charts.push({ id: 'latency', title: 'Latency (corrected, from intended start) per step', xLabel: 'hosts', yLabel: 'ms', x: hosts, series: latencySeries, note: 'measured windows only (warm-up excluded)' });

  const requestRates = steps.map((step) => step.requests_per_s);
  charts.push({
    id: 'cpu',
    title: 'Server CPU against request rate',
    xLabel: 'requests/s (all endpoints)',
    yLabel: 'CPU-ms per second',
    x: requestRates,
    series: [
      { label: 'measured', kind: 'measured', values: steps.map((step) => (step.server && step.measured_s > 0 ? step.server.cpu_ms / step.measured_s : null)) },
      { label: 'model', kind: 'model', values: requestRates.map((x) => line(calibration.cpuFit, x)) },
    ],
    note: fitNote(calibration.cpuFit, 'CPU-ms/s = a + b·req/s'),
  });

  charts.push({
    id: 'rss',
    title: 'Server resident memory',
    xLabel: 'hosts',
    yLabel: 'MB',
    x: hosts,
    series: [
      { label: 'measured', kind: 'measured', values: steps.map((step) => step.server?.rss_mb ?? null) },
      { label: 'model', kind: 'model', values: hosts.map((h) => line(calibration.rssFit, h)) },
    ],
    note: fitNote(calibration.rssFit, 'RSS MB = a + b·hosts'),
  });

  const membershipModel = calibration.membershipPerHostPolicy;
  charts.push({
    id: 'membership',
    title: 'Membership rows written per second',
    xLabel: 'hosts',
    yLabel: 'rows/s',
    x: hosts,
    series: [
      { label: 'measured', kind: 'measured', values: steps.map((step) => step.membership_rows_per_s) },
      {
        label: 'model',
        kind: 'model',
        values: hosts.map((h) => ((h * sweep.params.policies) / sweep.params.policy_interval_s) * (membershipModel?.value ?? 1)),
      },
    ],
    note: `hosts × ${sweep.params.policies} policies / ${sweep.params.policy_interval_s} s${membershipModel ? ` × ${formatNumber(membershipModel.value, 3)} (${stepRange(membershipModel.fit.steps)})` : ''}`,
  });

  const aggregationPoints = steps.flatMap((step) => step.aggregations.map((run) => ({ rows: run.rows, ms: run.duration_ms, strategy: run.strategy })));
  const strategies = [...new Set(aggregationPoints.map((point) => point.strategy))];
  const xs = [...new Set(aggregationPoints.map((point) => point.rows))].sort((a, b) => a - b);
  const aggregationSeries: CapacityChart['series'] = [];
  const aggregationNotes: string[] = [];
  for (const strategy of strategies) {
    aggregationSeries.push({
      label: `${strategy} measured (median run)`,
      kind: 'measured',
      values: xs.map((x) => {
        const at = aggregationPoints.filter((point) => point.strategy === strategy && point.rows === x);
        return at.length === 0 ? null : median(at.map((point) => point.ms));
      }),
    });
    const fit = calibration.aggregation[strategy as keyof SweepCalibration['aggregation']];
    aggregationSeries.push({ label: `${strategy} model`, kind: 'model', values: xs.map((x) => line(fit, x)) });
    aggregationNotes.push(fitNote(fit, `${strategy} ms = a + b·rows`));
  }
  charts.push({ id: 'aggregation', title: 'Aggregation duration against policy_membership rows', xLabel: 'rows', yLabel: 'ms', x: xs, series: aggregationSeries, note: aggregationNotes.join('; ') || 'no aggregation run fell inside a measured window' });
  return charts;
}

const CLIENT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('osqsim-capacity-data').textContent);
  var palette = ['#2c7be5', '#e67e22', '#16a085', '#8e44ad', '#c0392b', '#7f8c8d'];
  data.charts.forEach(function (c) {
    var el = document.getElementById('chart-' + c.id);
    if (!el) return;
    if (c.x.length === 0 || c.series.length === 0) { el.textContent = 'No data for this chart.'; return; }
    var order = c.x.map(function (x, i) { return i; }).sort(function (a, b) { return c.x[a] - c.x[b]; });
    var columns = [order.map(function (i) { return c.x[i]; })];
    var series = [{ label: c.xLabel }];
    var colour = 0;
    var colours = {};
    c.series.forEach(function (s) {
      var base = s.label.replace(/ (measured|model)( \(.*\))?$/, '');
      if (!(base in colours)) colours[base] = palette[colour++ % palette.length];
      columns.push(order.map(function (i) { return s.values[i]; }));
      series.push(s.kind === 'model'
        ? { label: s.label, stroke: colours[base], width: 2, dash: [6, 4], points: { show: false }, spanGaps: true }
        : { label: s.label, stroke: colours[base], width: 0, paths: function () { return null; }, points: { show: true, size: 8, fill: colours[base] } });
    });
    var width = Math.max(320, Math.min(1100, (el.clientWidth || 900) - 8));
    new uPlot({ width: width, height: 280, series: series, scales: { x: { time: false } }, axes: [{ label: c.xLabel }, { label: c.yLabel }] }, columns, el);
  });
  document.body.setAttribute('data-charts-drawn', String(data.charts.length));
})();
`;

export function renderCapacityHtml(sweep: SweepDocument): string {
  const { script, css } = uplotAssets();
  const calibration = calibrate(sweep);
  const charts = capacityCharts(sweep, calibration);
  const data: CapacityReportData = { sweep, charts };
  const stepRows = sweep.steps
    .map((step) => {
      const cell = (endpoint: PlanEndpoint): string => {
        const e = step.endpoints[endpoint];
        return e ? `${formatNumber(e.rate_per_s, 1)}/s · p99 ${formatNumber(e.latency_ms.p99, 1)} ms` : '–';
      };
      const aggregation = step.aggregations[step.aggregations.length - 1];
      return `<tr${step.generator.saturated ? ' class="fail"' : ''}><td>${step.index}</td><td>${formatInteger(step.hosts)}</td><td>${cell('read')}</td><td>${cell('write')}</td><td>${cell('config')}</td><td>${step.server ? `${formatNumber(step.server.cpu_pct, 0)}% · ${step.server.cpu_ms_per_req === null ? '–' : formatNumber(step.server.cpu_ms_per_req, 3)} ms/req` : '–'}</td><td>${step.server ? formatNumber(step.server.rss_mb, 0) : '–'} MB</td><td>${formatNumber(step.membership_rows_per_s, 1)}/s · ${formatInteger(step.membership_rows)}</td><td>${aggregation ? `${escapeHtml(aggregation.strategy)} ${formatNumber(aggregation.duration_ms, 1)} ms @ ${formatInteger(aggregation.rows)}` : '–'}</td><td>${formatNumber(step.errors_rate * 100, 2)}%${step.generator.saturated ? ' · generator saturated' : ''}</td></tr>`;
    })
    .join('\n');
  const chartBlocks = charts
    .map((chart) => `<section><h2>${escapeHtml(chart.title)}</h2><div class="chart" id="chart-${chart.id}"></div><p class="note">${escapeHtml(chart.note)}</p></section>`)
    .join('\n');
  const m = sweep.machine;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>osqsim · capacity sweep · ${escapeHtml(sweep.scenario)} · ${escapeHtml(sweep.started_at)}</title>
<style>${css}</style>
<style>
body { font: 14px/1.45 system-ui, -apple-system, Segoe UI, sans-serif; margin: 0 auto; max-width: 1140px; padding: 16px 20px 60px; color: #1d2630; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #e3e8ee; padding: 4px 6px; text-align: left; }
tr.fail td { background: #fdecea; }
.note { color: #5b6b7b; font-size: 12px; }
.chart { min-height: 300px; }
</style>
</head>
<body>
<h1>Capacity sweep: ${escapeHtml(sweep.scenario)}</h1>
<p>${escapeHtml(sweep.started_at)} · store ${escapeHtml(sweep.store)} · ${m.cpus} × ${escapeHtml(m.cpu_model)}, ${m.memory_gb} GB, Node ${escapeHtml(m.node)} ·
${sweep.params.warmup_s} s warm-up + ${sweep.params.measure_s} s measured per step · stopped: <strong>${escapeHtml(sweep.stopped.reason)}</strong>${sweep.stopped.detail ? ` — ${escapeHtml(sweep.stopped.detail)}` : ''}</p>
${sweep.target ? `<p><strong>Target not started by osqsim:</strong> ${escapeHtml(sweep.target.url)} (its /metrics: ${escapeHtml(sweep.target.metrics)}). Not measured there:</p><ul>${sweep.target.not_measured.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>` : ''}
<p class="note">Points are measured steps; dashed lines are the fitted model that <code>osqsim capacity plan --from sweep.json</code> projects with. Saturated steps (generator, not server) are left out of the fits.</p>
<h2>Steps</h2>
<table>
<thead><tr><th>#</th><th>hosts</th><th>read</th><th>write</th><th>config</th><th>server CPU</th><th>RSS</th><th>membership</th><th>aggregation</th><th>errors</th></tr></thead>
<tbody>
${stepRows}
</tbody>
</table>
${probeBlock(sweep)}
${chartBlocks}
<script type="application/json" id="osqsim-capacity-data">${scriptJson(data)}</script>
<script>${script}</script>
<script>${CLIENT}</script>
</body>
</html>
`;
}

function probeBlock(sweep: SweepDocument): string {
  const probe = sweep.cpu_probe;
  if (!probe) return '<p class="note">No CPU probe in this sweep: the plan charges CPU by the whole-server fit, valid for the sweep\'s request mix.</p>';
  const rows = Object.entries(probe.endpoints)
    .map(([name, e]) => `<tr><td>${escapeHtml(name)}</td><td>${formatInteger(e.requests)}</td><td>${formatNumber(e.rate_per_s, 0)}/s</td><td>${formatNumber(e.cpu_ms_per_req, 3)}</td></tr>`)
    .join('\n');
  return `<h2>Server CPU per request (probe after the last step)</h2>
<p class="note">Each endpoint alone at ${probe.rate_per_s} req/s for ${probe.seconds} s from ${probe.hosts} probe hosts; CPU above idle (${formatNumber(probe.idle_cpu_ms_per_s, 1)} CPU-ms/s) divided by the requests.</p>
<table><thead><tr><th>endpoint</th><th>requests</th><th>rate</th><th>CPU-ms per request</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

export function extractCapacityData(html: string): CapacityReportData {
  const match = /<script type="application\/json" id="osqsim-capacity-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('report.html has no osqsim-capacity-data element');
  return JSON.parse(match[1]!) as CapacityReportData;
}
