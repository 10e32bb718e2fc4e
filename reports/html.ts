/**
 * report.html: one self-contained page (works offline) rendered from the result document.
 * uPlot's minified script and CSS are read from node_modules at render time and inlined; the result
 * is embedded as JSON in <script type="application/json" id="osqsim-data"> and the charts are drawn
 * from it, so the numbers on the page are the numbers in result.json.
 */
import { timelineResult } from './timeline.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { stringify as toYaml } from 'yaml';
import { decodeHistogram } from '../lib/histogram.js';
import { REPORT_CLIENT_SCRIPT } from './html-client.js';
import { fmtInt, fmtMs, fmtPct, fmtRate, headline } from './headline.js';
import { type DeploymentInfo, type ResultDocument } from '../contract/result.js';
import { leaseStretches } from './deployment.js';
import { AGENT_ENDPOINT_LIST, ENDPOINT_INFO, type AgentEndpointName, type EndpointKind } from '../contract/vocabulary.js';
import { formatThresholdValue } from './metrics.js';
import { TRAFFIC_COLUMNS, trafficRows } from './traffic.js';

/** The server's traffic per query kind (vitals, labels, scheduled-query results), when the harness read it. */
function trafficHtml(doc: ResultDocument): string {
  const traffic = doc.server?.traffic;
  if (!traffic) return '';
  const head = TRAFFIC_COLUMNS.map((c, i) => `<th${i === 0 ? ' class="t"' : ''}>${escapeHtml(c)}</th>`).join('');
  const rows = trafficRows(traffic)
    .map((r) => `<tr><td class="t">${escapeHtml(r.kind)}</td><td>${escapeHtml(r.sent)}</td><td>${escapeHtml(r.answers)}</td><td>${escapeHtml(r.stored)}</td><td>${escapeHtml(r.rows)}</td></tr>`)
    .join('\n');
  return `<h2>Server traffic by query kind</h2>
<p class="help">From the server's /metrics over the whole run (warm-up included): host-vitals (detail) and label queries sent in distributed/read, their answers, and scheduled-query results received on /log.</p>
<table id="traffic"><tr>${head}</tr>
${rows}
</table>`;
}

/** A line colour per endpoint (typed: a new endpoint needs one). */
const ENDPOINT_COLORS: Readonly<Record<AgentEndpointName, string>> = {
  enroll: '#8e44ad',
  config: '#16a085',
  read: '#2c7be5',
  write: '#e67e22',
  log: '#7f8c8d',
  orbit_enroll: '#6c3483',
  orbit_config: '#0e6655',
  orbit_ping: '#5d6d7e',
  orbit_device_token: '#b7950b',
  device_token_ping: '#a04000',
  desktop: '#c0392b',
  device_ping: '#1abc9c',
};

/** An endpoint the report draws: its name, request, who sends it, and its colour. */
export interface ReportEndpoint {
  name: AgentEndpointName;
  label: string;
  kind: EndpointKind;
  color: string;
}

/**
 * The endpoints the run has data for (after warm-up or in any window), in AGENT_ENDPOINTS order: the
 * charts draw these and nothing else, so an osquery-only run gets no fleetd charts.
 */
export function reportEndpoints(doc: ResultDocument): ReportEndpoint[] {
  return AGENT_ENDPOINT_LIST.filter((e) => doc.endpoints[e.name] !== undefined || doc.windows.some((w) => w.endpoints[e.name] !== undefined)).map((e) => ({
    name: e.name,
    label: e.label,
    kind: e.kind,
    color: ENDPOINT_COLORS[e.name],
  }));
}

/** Percentiles drawn in the latency distribution (HdrHistogram-style spectrum). */
const SPECTRUM = [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999];

export interface ReportData {
  result: ResultDocument;
  derived: {
    /** The endpoints with data, with label, kind and colour (the charts' series). */
    endpoints: ReportEndpoint[];
    /** Per endpoint: [percentile, latency ms] pairs from the full-run histogram. */
    distribution: Partial<Record<AgentEndpointName, Array<[number, number]>>>;
    /** Aggregation runs placed on the run's time axis. */
    aggregations: Array<{ t: number; duration_ms: number; strategy: string; rows: number; drift: number }>;
  };
}

export function reportData(doc: ResultDocument): ReportData {
  const distribution: ReportData['derived']['distribution'] = {};
  const endpoints = reportEndpoints(doc);
  for (const { name: endpoint } of endpoints) {
    const encoded = doc.endpoints[endpoint]?.histogram;
    if (!encoded) continue;
    try {
      const histogram = decodeHistogram(encoded);
      if (histogram.totalCount > 0) {
        distribution[endpoint] = SPECTRUM.map((p) => [p, round3(histogram.getValueAtPercentile(p === 0 ? 0.0001 : p) / 1000)]);
      }
      histogram.destroy();
    } catch {
      // A damaged histogram only loses its distribution chart; the percentiles above still stand.
    }
  }
  const start = Date.parse(doc.run.started_at);
  const aggregations = doc.aggregations.map((a) => ({
    t: Number.isFinite(start) ? Math.round((Date.parse(a.started_at) - start) / 1000) : 0,
    duration_ms: a.duration_ms,
    strategy: a.strategy,
    rows: a.rows,
    drift: a.drift,
  }));
  return { result: doc, derived: { endpoints, distribution, aggregations } };
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

let cachedAssets: { script: string; css: string } | undefined;

/** uPlot's iife build and stylesheet, read from the installed package. */
export function uplotAssets(): { script: string; css: string } {
  if (!cachedAssets) {
    const require = createRequire(import.meta.url);
    const script = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    cachedAssets = { script, css };
  }
  return cachedAssets;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON safe inside a <script> element (no `</script>`, no HTML comment openers). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Reads the embedded data back out of a rendered report (tests, tools). */
export function extractReportData(html: string): ReportData {
  const match = /<script type="application\/json" id="osqsim-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('report.html has no osqsim-data element');
  return JSON.parse(match[1]!) as ReportData;
}

/** The deployment section: instances with their requests, CPU, RSS and count runs, and the stats lease's holders. */
function renderDeploymentHtml(info: DeploymentInfo): string {
  const total = info.instances.reduce((s, i) => s + i.requests, 0);
  const instanceRows = info.instances
    .map((i) => `<tr><td>${i.index}</td><td class="t">${escapeHtml(i.url)}</td><td>${fmtInt(i.requests)}</td><td>${total > 0 ? `${((i.requests / total) * 100).toFixed(1)}%` : '–'}</td><td>${i.cpu_pct_mean.toFixed(0)}% / ${i.cpu_pct_max.toFixed(0)}%</td><td>${i.rss_mb_max.toFixed(0)} MB</td><td>${i.stats_runs}</td></tr>`)
    .join('\n');
  const leaseRows = leaseStretches(info)
    .map((s) => `<tr><td>${s.instance < 0 ? 'unknown' : s.instance}</td><td>${s.from_t.toFixed(1)} s</td><td>${s.to_t.toFixed(1)} s</td><td>${s.runs}</td></tr>`)
    .join('\n');
  const lb = info.load_balancer === 'haproxy' ? `HAProxy (round robin) at ${info.targets.join(', ')}` : `no load balancer (hosts spread over ${info.targets.join(', ')})`;
  return `<h2>Deployment</h2>
<p class="help">${info.instances.length || 1} server instance(s), ${escapeHtml(lb)}; simulator in ${info.simulator_processes} process(es). ${info.lease_overlap_s === 0 ? 'One stats-lease holder at a time.' : `${info.lease_overlap_s} s with more than one instance holding the stats lease.`}</p>
${instanceRows ? `<table id="instances"><tr><th>instance</th><th class="t">URL</th><th>agent requests</th><th>share</th><th>CPU avg / max</th><th>RSS max</th><th>count runs</th></tr>\n${instanceRows}\n</table>` : ''}
${leaseRows ? `<table id="stats-lease"><tr><th>lease held by instance</th><th>from t</th><th>to t</th><th>count runs</th></tr>\n${leaseRows}\n</table>` : ''}`;
}

/**
 * orbit's and Fleet Desktop's charts, only when the run has fleetd endpoints (an osquery-only run
 * gets no empty fleetd charts).
 */
function fleetdChartsHtml(doc: ResultDocument): string {
  const fleetd = reportEndpoints(doc).filter((e) => e.kind !== 'osquery');
  if (fleetd.length === 0) return '';
  const perHost = (rate: number): string => (doc.run.hosts > 0 ? (rate / doc.run.hosts).toFixed(4) : '–');
  const rows = fleetd
    .map((e) => {
      const r = doc.endpoints[e.name];
      const planned = doc.plan?.rates[e.name];
      return `<tr><td>${e.name}</td><td class="t">${e.kind}</td><td class="t"><code>${escapeHtml(e.label)}</code></td><td>${r ? fmtRate(r.rate_per_s) : '–'}</td><td>${r ? perHost(r.rate_per_s) : '–'}</td><td>${planned === undefined ? '–' : fmtRate(planned)}</td></tr>`;
    })
    .join('\n');
  return `<h2>fleetd: orbit and Fleet Desktop</h2>
<p class="help">The requests fleetd hosts send beside osquery's (orbit's tickers and Fleet Desktop's), after warm-up; per host = req/s ÷ all hosts of the run.</p>
<table id="fleetd-endpoints"><tr><th>endpoint</th><th class="t">sent by</th><th class="t">request</th><th>req/s</th><th>req/s/host</th><th>planned req/s</th></tr>
${rows}
</table>
<h2>fleetd request rate per endpoint</h2>
<p class="help">orbit and Fleet Desktop requests completed per second (1-second windows, warm-up included).</p>
<div class="chart" id="chart-fleetd-rate"></div>
<h2>fleetd latency over time</h2>
<p class="help">Per-window p99 (solid) and p50 (dashed), milliseconds.</p>
<div class="chart" id="chart-fleetd-latency"></div>
<h2>fleetd latency distribution</h2>
<p class="help">Whole run after warm-up, from the exact HdrHistograms.</p>
<div class="chart" id="chart-fleetd-distribution"></div>`;
}

export function renderHtml(doc: ResultDocument): string {
  const { script, css } = uplotAssets();
  const h = headline(doc);
  const name = typeof doc.scenario.name === 'string' ? doc.scenario.name : 'run';
  const failed = doc.thresholds.filter((t) => !t.ok).length;
  const verdictClass = doc.thresholds.length === 0 ? 'neutral' : failed ? 'fail' : 'pass';
  const verdict = doc.thresholds.length === 0 ? 'no thresholds' : failed ? `${failed} of ${doc.thresholds.length} thresholds failed` : `all ${doc.thresholds.length} thresholds passed`;

  const endpointRows = h.endpoints
    .map(
      (e) =>
        `<tr><td title="${escapeHtml(ENDPOINT_INFO[e.endpoint].label)}">${e.endpoint}</td><td class="t">${ENDPOINT_INFO[e.endpoint].kind}</td><td>${fmtInt(e.count)}</td><td>${fmtRate(e.rate_per_s)}</td><td>${fmtInt(e.errors)} (${fmtPct(e.error_rate)})</td><td>${fmtMs(e.p50)}</td><td>${fmtMs(e.p90)}</td><td>${fmtMs(e.p99)}</td><td>${fmtMs(e.p999)}</td><td>${fmtMs(e.max)}</td><td>${fmtMs(e.service_p99)}</td><td>${doc.plan?.rates[e.endpoint] === undefined ? '–' : fmtRate(doc.plan.rates[e.endpoint]!)}</td></tr>`,
    )
    .join('\n');
  const thresholdRows = doc.thresholds
    .map((t) => `<tr class="${t.ok ? 'pass' : 'fail'}"><td><code>${escapeHtml(t.expr)}</code></td><td>${escapeHtml(formatThresholdValue(t.expr, t.value))}</td><td>${t.ok ? 'pass' : 'FAIL'}</td></tr>`)
    .join('\n');
  const policyRows = doc.policies
    .map(
      (p) =>
        `<tr><td>${p.id}</td><td class="t">${escapeHtml(p.name ?? '')}</td><td>${fmtInt(p.truth.passing)} / ${fmtInt(p.truth.failing)} / ${fmtInt(p.truth.unknown)}</td><td>${p.server ? `${fmtInt(p.server.passing)} / ${fmtInt(p.server.failing)}` : '–'}</td><td${p.unscored ? ` title="${escapeHtml(p.unscored)}"` : ''}>${p.unscored ? 'not scored' : (p.count_error ?? '–')}</td><td>${p.unscored || p.staleness_s === undefined ? '–' : p.staleness_s.toFixed(1)}</td><td>${escapeHtml(p.server?.updated_at ?? '')}</td></tr>`,
    )
    .join('\n');
  const timelineRows = (doc.timeline ?? [])
    .map((e) => `<tr class="${e.ok || e.skipped ? '' : 'fail'}"><td>${e.t.toFixed(0)} s</td><td class="t">${escapeHtml(e.kind)}</td><td class="t">${escapeHtml(e.detail)}</td><td class="t">${escapeHtml(timelineResult(e))}</td></tr>`)
    .join('\n');
  const deploymentHtml = doc.deployment ? renderDeploymentHtml(doc.deployment) : '';
  const machine = doc.run.machine;
  const environment = [
    ['started', doc.run.started_at],
    ['duration', `${doc.run.duration_s} s (warm-up ${doc.run.warmup_s} s, excluded from the tables)`],
    ['hosts', fmtInt(doc.run.hosts)],
    ['workers / connections', `${doc.run.workers} / ${doc.run.connections}`],
    ['target', doc.run.target.join(', ')],
    ['store', doc.run.store],
    ...(doc.run.edited_policies ? [['edited policies', doc.run.edited_policies === 'immediate' ? 'immediate: re-run at the next read (a what-if, not Fleet\'s behaviour)' : 'fleet: re-run at the normal policy interval (as Fleet)']] : []),
    ['seed', String(doc.run.seed)],
    ['osqsim', doc.run.osqsim_version],
    ['machine', `${machine.cpus} × ${machine.cpu_model}, ${machine.memory_gb} GB, ${machine.platform}, Node ${machine.node}`],
    ['generator', `CPU ${doc.generator.cpu_pct.toFixed(0)}%, event-loop p99 ${fmtMs(doc.generator.event_loop_p99_ms)}${doc.generator.client_queue_p99_ms === undefined ? '' : `, client queue p99 ${fmtMs(doc.generator.client_queue_p99_ms)}`}, max in flight ${doc.generator.max_in_flight}${doc.generator.saturated ? ' — SATURATED' : ''}`],
    ['saturated side', h.saturation.side],
  ]
    .map(([k, v]) => `<tr><th>${escapeHtml(k!)}</th><td>${escapeHtml(v!)}</td></tr>`)
    .join('\n');

  const countsLine =
    h.counts.error_max === null
      ? 'Policy counts were not read (no API access to the target).'
      : `Policy counts: max error ${fmtInt(h.counts.error_max)} hosts, max staleness ${h.counts.staleness_max_s!.toFixed(1)} s over ${h.counts.policies_read} policies.`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>osqsim · ${escapeHtml(name)} · ${escapeHtml(doc.run.started_at)}</title>
<style>${css}</style>
<style>
body { font: 14px/1.45 system-ui, -apple-system, Segoe UI, sans-serif; margin: 0 auto; max-width: 1140px; padding: 16px 20px 60px; color: #1d2630; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 17px; margin: 28px 0 6px; border-bottom: 1px solid #e3e8ee; padding-bottom: 4px; }
p.lead { color: #52606d; margin: 0 0 10px; } .help { color: #52606d; font-size: 13px; margin: 2px 0 8px; }
.verdict { display: inline-block; padding: 3px 10px; border-radius: 12px; font-weight: 600; }
.verdict.pass { background: #e3f6ea; color: #1e7b45; } .verdict.fail { background: #fde8e6; color: #b3261e; } .verdict.neutral { background: #eef1f4; color: #52606d; }
.warn { background: #fff4d6; border: 1px solid #f2c94c; padding: 8px 12px; border-radius: 6px; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eef1f4; text-align: right; } th:first-child, td:first-child { text-align: left; }
table.kv th { text-align: left; color: #52606d; font-weight: 500; } table.kv td { text-align: left; }
tr.fail td { color: #b3261e; font-weight: 600; }
td.t, th.t { text-align: left; }
.chart { min-height: 60px; margin: 6px 0 4px; } .chart.empty { color: #8a96a3; font-style: italic; padding: 10px 0; }
pre { background: #f6f8fa; padding: 10px; overflow: auto; max-height: 420px; font-size: 12px; }
</style>
</head>
<body>
<h1>osqsim run: ${escapeHtml(name)}</h1>
<p class="lead">${escapeHtml(String(doc.scenario.description ?? ''))}</p>
<p><span class="verdict ${verdictClass}">${escapeHtml(verdict)}</span> &nbsp; ${fmtInt(doc.run.hosts)} hosts · ${doc.run.duration_s} s · store ${escapeHtml(doc.run.store)} · ${escapeHtml(countsLine)}</p>
${h.saturation.side === 'generator' ? `<p class="warn"><b>Saturated: the generator (the simulator)</b> — latencies may be the simulator's, not the server's. ${escapeHtml(h.saturation.reasons.join(' '))}</p>` : ''}
${h.saturation.side === 'target' ? `<p class="warn"><b>Saturated: the target (the server)</b> — its service time, not the simulator, sets the latency. ${escapeHtml(h.saturation.reasons.join(' '))}</p>` : ''}

<h2>Headline</h2>
<p class="help">Measured after warm-up. Latency is corrected for coordinated omission (response − intended start); service time is response − actual send.</p>
<table id="headline">
<tr><th>endpoint</th><th class="t">sent by</th><th>requests</th><th>req/s</th><th>errors</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>service p99</th><th title="what osqsim scenario plan expected after warm-up">planned req/s</th></tr>
${endpointRows}
<tr><th>all</th><th></th><th>${fmtInt(h.total.count)}</th><th>${fmtRate(h.total.rate_per_s)}</th><th>${fmtInt(h.total.errors)} (${fmtPct(h.total.error_rate)})</th><th colspan="6"></th><th>${doc.plan ? fmtRate(Object.values(doc.plan.rates).reduce<number>((a, b) => a + (b ?? 0), 0)) : ''}</th></tr>
</table>
<p class="help">Check-ins late (&gt; 1 s after intended): ${fmtInt(h.checkins.late)} of ${fmtInt(h.checkins.scheduled)}, max lag ${fmtMs(h.checkins.max_lag_ms)}.${doc.plan ? ` Planned: ${fmtRate(doc.plan.membership_writes_per_s)} membership rows written/s, ${fmtInt(doc.plan.membership_rows)} rows in policy_membership at the end.` : ''}</p>

<h2>Thresholds</h2>
${doc.thresholds.length ? `<table id="thresholds"><tr><th>threshold</th><th>value</th><th>result</th></tr>\n${thresholdRows}\n</table>` : '<p class="help">The scenario sets no thresholds.</p>'}

<h2>Request rate per endpoint</h2>
<p class="help">osquery's requests completed per second (1-second windows, warm-up included). Red dashed lines are timeline events.${reportEndpoints(doc).some((e) => e.kind !== 'osquery') ? ' fleetd\'s (orbit and Fleet Desktop) have their own charts below.' : ''}</p>
<div class="chart" id="chart-rate"></div>
<h2>Errors per endpoint</h2>
<p class="help">Non-2xx responses, timeouts and connection errors per second.</p>
<div class="chart" id="chart-errors"></div>
<h2>Latency over time</h2>
<p class="help">Per-window p99 (solid) and p50 (dashed), milliseconds.</p>
<div class="chart" id="chart-latency"></div>
<h2>Latency distribution</h2>
<p class="help">Whole run after warm-up, from the exact HdrHistograms: latency at each percentile.</p>
<div class="chart" id="chart-distribution"></div>
${fleetdChartsHtml(doc)}
<h2>Aggregation runs and write latency</h2>
<p class="help">Each dot is one count-aggregation run (its duration, right axis) at the moment it started, over distributed/write p99 (left axis): does counting slow ingestion?</p>
<div class="chart" id="chart-aggregation"></div>
<p class="help">Policy results written into policy_membership per second, from the server's /metrics.</p>
<div class="chart" id="chart-membership"></div>
${trafficHtml(doc)}
<h2>Server CPU and memory</h2>
<p class="help">Sampled every second from the server process (osqsim started it).</p>
<div class="chart" id="chart-server"></div>
<h2>Policy count accuracy</h2>
<p class="help">The server's passing/failing counts read through the API against the simulator's ground truth (each host's last reported answer). Staleness is how long a policy's counts have differed from the truth.</p>
<div class="chart" id="chart-counts"></div>
<div class="chart" id="chart-policies"></div>
<table id="policies"><tr><th>id</th><th class="t">name</th><th>truth pass / fail / unknown</th><th>server pass / fail</th><th>error</th><th>staleness (s)</th><th>counts updated</th></tr>
${policyRows}
</table>

${deploymentHtml}
${timelineRows ? `<h2>Timeline</h2>\n<table id="timeline"><tr><th>t</th><th class="t">event</th><th class="t">detail</th><th class="t">result</th></tr>\n${timelineRows}\n</table>` : ''}

<h2>Scenario and environment</h2>
<table class="kv">${environment}</table>
<p class="help">The scenario as validated (durations in milliseconds):</p>
<pre>${escapeHtml(toYaml(doc.scenario))}</pre>

<script type="application/json" id="osqsim-data">${scriptJson(reportData(doc))}</script>
<script>${script}</script>
<script>${REPORT_CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
