/**
 * The script that draws report.html's charts in the browser, with uPlot (inlined next to it).
 * It reads everything from <script type="application/json" id="osqsim-data"> and needs no network.
 * Kept as a string (no backticks, no template holes) so the built package needs no asset copying.
 */
export const REPORT_CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('osqsim-data').textContent);
  var doc = data.result;
  var derived = data.derived;
  // The endpoints with data, from the report (reports/html.ts reportEndpoints: contract/vocabulary.ts's table).
  var ENDPOINTS = derived.endpoints || [];
  var COLORS = {};
  ENDPOINTS.forEach(function (e) { COLORS[e.name] = e.color; });
  var drawn = [];
  var width = function (el) { return Math.max(320, Math.min(1100, (el.clientWidth || 900) - 8)); };

  var events = (doc.timeline || []).map(function (e) { return { t: e.t, label: e.kind }; });
  var markers = {
    hooks: {
      draw: [function (u) {
        var ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = 'rgba(192,57,43,0.6)';
        ctx.fillStyle = 'rgba(192,57,43,0.9)';
        ctx.setLineDash([4, 4]);
        ctx.font = '11px sans-serif';
        events.forEach(function (e) {
          var x = u.valToPos(e.t, 'x', true);
          if (!(x >= u.bbox.left && x <= u.bbox.left + u.bbox.width)) return;
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.fillText(e.label, x + 3, u.bbox.top + 12);
        });
        ctx.restore();
      }]
    }
  };

  function chart(id, opts, series, columns) {
    var el = document.getElementById(id);
    if (!el) return;
    if (!columns[0] || columns[0].length === 0) {
      el.textContent = 'No data for this chart in this run.';
      el.className += ' empty';
      return;
    }
    opts.width = width(el);
    opts.height = opts.height || 260;
    opts.series = [{ label: opts.xLabel || 't (s)' }].concat(series);
    opts.scales = opts.scales || {};
    if (!opts.scales.x) opts.scales.x = { time: false };
    opts.plugins = opts.plugins || [];
    if (opts.timeAxis !== false) opts.plugins.push({ hooks: markers.hooks });
    opts.axes = opts.axes || [{ label: opts.xLabel || 'seconds since start' }, { label: opts.yLabel || '' }];
    var plot = new uPlot(opts, columns, el);
    drawn.push({ id: id, plot: plot });
  }

  var windows = doc.windows || [];
  var t = windows.map(function (w) { return w.t; });
  // Endpoints seen after the warm-up or in any window (enroll and log may happen only in the warm-up):
  // osquery's in the main charts, fleetd's (orbit, Desktop) in their own, drawn only when present.
  var all = ENDPOINTS.map(function (e) { return e.name; });
  var present = ENDPOINTS.filter(function (e) { return e.kind === 'osquery'; }).map(function (e) { return e.name; });
  var fleetd = ENDPOINTS.filter(function (e) { return e.kind !== 'osquery'; }).map(function (e) { return e.name; });
  // A window without an endpoint had no requests there: 0 for counts, a gap for latencies.
  function col(endpoint, field) {
    var missing = field === 'count' || field === 'errors' ? 0 : null;
    return windows.map(function (w) {
      var v = w.endpoints && w.endpoints[endpoint];
      return v ? v[field] : missing;
    });
  }

  function rateChart(id, names) {
    chart(id, { yLabel: 'requests/s' },
      names.map(function (e) { return { label: e, stroke: COLORS[e], width: 1.5 }; }),
      [t].concat(names.map(function (e) { return col(e, 'count'); })));
  }
  rateChart('chart-rate', present);

  chart('chart-errors', { yLabel: 'errors/s' },
    all.map(function (e) { return { label: e, stroke: COLORS[e], width: 1.5 }; }),
    [t].concat(all.map(function (e) { return col(e, 'errors'); })));

  function latencyChart(id, names) {
    var latencySeries = [];
    var latencyCols = [t];
    names.forEach(function (e) {
      latencySeries.push({ label: e + ' p99', stroke: COLORS[e], width: 1.5 });
      latencyCols.push(col(e, 'p99'));
      latencySeries.push({ label: e + ' p50', stroke: COLORS[e], width: 1, dash: [4, 3] });
      latencyCols.push(col(e, 'p50'));
    });
    chart(id, { yLabel: 'latency (ms)' }, latencySeries, latencyCols);
  }
  latencyChart('chart-latency', present);

  // Latency distribution: x is 1/(1 - percentile/100) on a log scale, as HdrHistogram plots are drawn.
  var dist = derived.distribution || {};
  function distributionChart(id, names) {
    var distEndpoints = names.filter(function (e) { return dist[e] && dist[e].length; });
    if (distEndpoints.length) {
      var xs = dist[distEndpoints[0]].map(function (p) { return 1 / (1 - p[0] / 100); });
      chart(id, {
        xLabel: 'percentile',
        yLabel: 'latency (ms)',
        timeAxis: false,
        scales: { x: { time: false, distr: 3 } },
        axes: [{
          label: 'percentile',
          splits: function () { return [1, 2, 10, 100, 1000, 10000, 100000]; },
          values: function (u, splits) { return splits.map(function (v) { return ({ 1: '0%', 2: '50%', 10: '90%', 100: '99%', 1000: '99.9%', 10000: '99.99%', 100000: '99.999%' })[v] || ''; }); }
        }, { label: 'latency (ms)' }]
      }, distEndpoints.map(function (e) { return { label: e, stroke: COLORS[e], width: 1.5 }; }),
        [xs].concat(distEndpoints.map(function (e) { return dist[e].map(function (p) { return p[1]; }); })));
    } else {
      chart(id, {}, [], [[]]);
    }
  }
  distributionChart('chart-distribution', present);

  // fleetd's charts exist in the page only when the run has fleetd endpoints (reports/html.ts).
  if (fleetd.length) {
    rateChart('chart-fleetd-rate', fleetd);
    latencyChart('chart-fleetd-latency', fleetd);
    distributionChart('chart-fleetd-distribution', fleetd);
  }

  // Aggregation runs on the same time axis as write p99.
  var aggByT = {};
  (derived.aggregations || []).forEach(function (a) { aggByT[a.t] = Math.max(aggByT[a.t] || 0, a.duration_ms); });
  var aggT = t.slice();
  Object.keys(aggByT).forEach(function (k) { if (aggT.indexOf(Number(k)) < 0) aggT.push(Number(k)); });
  aggT.sort(function (a, b) { return a - b; });
  var writeP99ByT = {};
  windows.forEach(function (w) { var v = w.endpoints && w.endpoints.write; if (v) writeP99ByT[w.t] = v.p99; });
  chart('chart-aggregation', {
    yLabel: 'write p99 (ms)',
    scales: { x: { time: false }, agg: {} },
    axes: [{ label: 'seconds since start' }, { label: 'write p99 (ms)' }, { side: 1, scale: 'agg', label: 'aggregation run (ms)', grid: { show: false } }]
  }, [
    { label: 'write p99 (ms)', stroke: COLORS.write, width: 1.5, spanGaps: true },
    { label: 'aggregation run duration (ms)', scale: 'agg', stroke: '#c0392b', width: 0, points: { show: true, size: 9, fill: '#c0392b' } }
  ], [aggT, aggT.map(function (x) { return x in writeP99ByT ? writeP99ByT[x] : null; }), aggT.map(function (x) { return x in aggByT ? aggByT[x] : null; })]);

  var samples = (doc.server && doc.server.samples) || [];
  chart('chart-server', {
    yLabel: 'CPU %',
    scales: { x: { time: false }, mb: {} },
    axes: [{ label: 'seconds since start' }, { label: 'CPU % / event-loop p99 ms' }, { side: 1, scale: 'mb', label: 'RSS (MB)', grid: { show: false } }]
  }, [
    { label: 'CPU %', stroke: '#2c7be5', width: 1.5 },
    { label: 'event-loop p99 (ms)', stroke: '#8e44ad', width: 1 },
    { label: 'RSS (MB)', scale: 'mb', stroke: '#27ae60', width: 1.5 }
  ], [samples.map(function (s) { return s.t; }), samples.map(function (s) { return s.cpu_pct; }), samples.map(function (s) { return s.event_loop_p99_ms; }), samples.map(function (s) { return s.rss_mb; })]);

  var rowsSamples = samples.filter(function (s) { return typeof s.membership_writes_per_s === 'number'; });
  chart('chart-membership', { yLabel: 'rows/s' }, [
    { label: 'policy_membership rows written/s', stroke: '#e67e22', width: 1.5 }
  ], [rowsSamples.map(function (s) { return s.t; }), rowsSamples.map(function (s) { return s.membership_writes_per_s; })]);

  var counts = (doc.counts && doc.counts.samples) || [];
  chart('chart-counts', {
    yLabel: 'hosts',
    scales: { x: { time: false }, s: {} },
    axes: [{ label: 'seconds since start' }, { label: 'max count error (hosts)' }, { side: 1, scale: 's', label: 'max staleness (s)', grid: { show: false } }]
  }, [
    { label: 'max count error (hosts)', stroke: '#c0392b', width: 1.5 },
    { label: 'policies off', stroke: '#e67e22', width: 1 },
    { label: 'max staleness (s)', scale: 's', stroke: '#2c3e50', width: 1.5 }
  ], [counts.map(function (c) { return c.t; }), counts.map(function (c) { return c.error_max; }), counts.map(function (c) { return c.policies_off; }), counts.map(function (c) { return c.staleness_max_s; })]);

  var policies = (doc.policies || []).filter(function (p) { return p.server && !p.unscored; });
  var bars = uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined;
  chart('chart-policies', {
    xLabel: 'policy id',
    yLabel: 'count error (hosts)',
    timeAxis: false,
    scales: { x: { time: false }, s: {} },
    axes: [{ label: 'policy id' }, { label: 'count error (hosts)' }, { side: 1, scale: 's', label: 'staleness (s)', grid: { show: false } }]
  }, [
    { label: 'count error (hosts)', stroke: '#c0392b', fill: 'rgba(192,57,43,0.35)', paths: bars, points: { show: false } },
    { label: 'staleness (s)', scale: 's', stroke: '#2c3e50', width: 0, points: { show: true, size: 7, fill: '#2c3e50' } }
  ], [policies.map(function (p) { return p.id; }), policies.map(function (p) { return p.count_error || 0; }), policies.map(function (p) { return p.staleness_s || 0; })]);

  window.__osqsimCharts = drawn.map(function (d) { return d.id; });
  document.body.setAttribute('data-charts-drawn', String(drawn.length));
})();
`;
