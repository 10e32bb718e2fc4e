/**
 * The metrics of a result document that thresholds compare and reports print: `read.p99`,
 * `errors.rate`, `counts.staleness.max`, … each with its unit, a description and how to read it from
 * the document (through the headline figures). Scenario thresholds (scenarios/thresholds.ts) parse
 * and compare against these.
 */
import type { ResultDocument } from '../contract/result.js';
import { AGENT_ENDPOINTS } from '../contract/vocabulary.js';
import { errorRateOutsideFaults } from './fault-windows.js';
import { headline } from './headline.js';

/** The unit a metric is measured in; the threshold's value is converted to it. */
export type MetricUnit = 'ms' | 's' | 'ratio' | 'percent' | 'mb' | 'count' | 'per_s';

export interface MetricDef {
  unit: MetricUnit;
  description: string;
  get(doc: ResultDocument): number | null;
}

function buildMetrics(): Map<string, MetricDef> {
  const metrics = new Map<string, MetricDef>();
  // Every agent endpoint, fleetd's included (`orbit_config.p99`, `device_ping.rate`): contract/vocabulary.ts.
  for (const endpoint of AGENT_ENDPOINTS) {
    const find = (doc: ResultDocument) => headline(doc).endpoints.find((e) => e.endpoint === endpoint);
    for (const p of ['p50', 'p90', 'p99', 'p999', 'max'] as const) {
      metrics.set(`${endpoint}.${p}`, { unit: 'ms', description: `${endpoint} latency ${p} (corrected)`, get: (d) => find(d)?.[p] ?? null });
      metrics.set(`${endpoint}.service.${p}`, { unit: 'ms', description: `${endpoint} service time ${p}`, get: (d) => d.endpoints[endpoint]?.service_ms[p] ?? null });
    }
    metrics.set(`${endpoint}.rate`, { unit: 'per_s', description: `${endpoint} requests per second`, get: (d) => find(d)?.rate_per_s ?? null });
    metrics.set(`${endpoint}.errors.rate`, { unit: 'ratio', description: `${endpoint} errors ÷ requests`, get: (d) => find(d)?.error_rate ?? null });
    metrics.set(`${endpoint}.errors.count`, { unit: 'count', description: `${endpoint} errors`, get: (d) => find(d)?.errors ?? null });
  }
  metrics.set('errors.rate', { unit: 'ratio', description: 'errors ÷ requests, all endpoints', get: (d) => headline(d).total.error_rate });
  metrics.set('errors.outside_faults.rate', { unit: 'ratio', description: 'errors ÷ requests outside the injected outages and their recovery grace (reports/fault-windows.ts)', get: (d) => errorRateOutsideFaults(d) });
  metrics.set('errors.count', { unit: 'count', description: 'errors, all endpoints', get: (d) => headline(d).total.errors });
  metrics.set('requests.rate', { unit: 'per_s', description: 'requests per second, all endpoints', get: (d) => headline(d).total.rate_per_s });
  metrics.set('checkins.late.rate', { unit: 'ratio', description: 'late check-ins ÷ scheduled', get: (d) => headline(d).checkins.late_rate });
  metrics.set('checkins.max_lag', { unit: 'ms', description: 'largest check-in lag', get: (d) => d.checkins.max_lag_ms });
  metrics.set('counts.error.max', { unit: 'count', description: 'max |server − truth| over policies at the final read (hosts)', get: (d) => headline(d).counts.error_max });
  metrics.set('counts.staleness.max', { unit: 's', description: 'oldest truth a policy\'s counts showed (after warm-up)', get: (d) => headline(d).counts.staleness_max_s });
  metrics.set('server.cpu.max', { unit: 'percent', description: 'server CPU, max of 1 s samples', get: (d) => headline(d).server?.cpu_max ?? null });
  metrics.set('server.cpu.avg', { unit: 'percent', description: 'server CPU, average', get: (d) => headline(d).server?.cpu_avg ?? null });
  metrics.set('server.rss.max', { unit: 'mb', description: 'server resident memory, max', get: (d) => headline(d).server?.rss_max_mb ?? null });
  metrics.set('server.event_loop.p99', { unit: 'ms', description: 'server event-loop delay p99, max of samples', get: (d) => headline(d).server?.event_loop_p99_max_ms ?? null });
  metrics.set('aggregation.duration.max', { unit: 'ms', description: 'longest count-aggregation run', get: (d) => (d.aggregations.length ? headline(d).aggregations.duration_max_ms : null) });
  metrics.set('aggregation.drift.max', { unit: 'count', description: 'largest drift a reconcile found', get: (d) => (d.aggregations.length ? headline(d).aggregations.drift_max : null) });
  return metrics;
}

let metricsCache: Map<string, MetricDef> | undefined;
function metrics(): Map<string, MetricDef> {
  metricsCache ??= buildMetrics();
  return metricsCache;
}

/** Every metric name a threshold can use. */
export function metricNames(): string[] {
  return [...metrics().keys()];
}

/** The metric's unit, description and getter; undefined for an unknown name. */
export function metricDefinition(name: string): MetricDef | undefined {
  return metrics().get(name);
}

/** A threshold's measured value with its metric's unit, as people read it: `101.8 ms`, `0.05%`, `10 s`. */
export function formatThresholdValue(expr: string, value: number | null): string {
  if (value === null) return 'no data';
  const metric = expr.trim().split(/\s|[<>=!]/)[0] ?? '';
  const unit = metrics().get(metric)?.unit;
  const num = (n: number): string => {
    if (Number.isInteger(n)) return n.toLocaleString('en-US');
    const abs = Math.abs(n);
    const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 0.1 ? 2 : 3;
    return Number(n.toFixed(digits)) === 0 && n !== 0 ? n.toPrecision(2) : n.toFixed(digits);
  };
  switch (unit) {
    case 'ms': return `${num(value)} ms`;
    case 's': return `${num(value)} s`;
    case 'ratio': return `${num(value * 100)}%`;
    case 'percent': return `${num(value)}%`;
    case 'mb': return `${num(value)} MB`;
    case 'per_s': return `${num(value)}/s`;
    default: return num(value);
  }
}

export function describeMetrics(): Array<{ metric: string; unit: MetricUnit; description: string }> {
  return [...metrics()].map(([metric, def]) => ({ metric, unit: def.unit, description: def.description }));
}

/** The metric's value on a result document (null when the run has no data for it). */
export function metricValue(doc: ResultDocument, metric: string): number | null {
  return metrics().get(metric)?.get(doc) ?? null;
}

