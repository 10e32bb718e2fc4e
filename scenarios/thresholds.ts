/**
 * Thresholds: `read.p99 < 200ms`, `errors.rate < 0.1%`, `counts.staleness.max < 5s`, … (k6 style).
 * A scenario lists them; the runner evaluates them on the result document and a failed one makes
 * `osqsim run` exit 3. Parsing is pure and reports what is wrong with a "did you mean".
 */
import { headline } from '../reports/headline.js';
import type { ResultDocument, ThresholdResult } from '../contract/result.js';
import { ENDPOINTS } from '../contract/vocabulary.js';
import { didYouMean } from '../lib/did-you-mean.js';

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';
const OPERATORS: readonly Operator[] = ['<=', '>=', '==', '!=', '<', '>'];

/** The unit a metric is measured in; the threshold's value is converted to it. */
export type MetricUnit = 'ms' | 's' | 'ratio' | 'percent' | 'mb' | 'count' | 'per_s';

export interface ThresholdSpec {
  /** As written: `read.p99 < 200ms`. */
  expr: string;
  metric: string;
  op: Operator;
  /** In the metric's unit. */
  value: number;
}

interface MetricDef {
  unit: MetricUnit;
  description: string;
  get(doc: ResultDocument): number | null;
}

function buildMetrics(): Map<string, MetricDef> {
  const metrics = new Map<string, MetricDef>();
  for (const endpoint of ENDPOINTS) {
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

export function thresholdMetricNames(): string[] {
  return [...metrics().keys()];
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

const UNIT_FACTORS: Record<MetricUnit, Record<string, number>> = {
  ms: { '': 1, ms: 1, s: 1000, m: 60_000 },
  s: { '': 1, ms: 0.001, s: 1, m: 60 },
  ratio: { '': 1, '%': 0.01 },
  percent: { '': 1, '%': 1 },
  mb: { '': 1, mb: 1, gb: 1000, mib: 1.048576, gib: 1073.741824 },
  count: { '': 1 },
  per_s: { '': 1, '/s': 1 },
};

export type ParseResult = { ok: true; threshold: ThresholdSpec } | { ok: false; error: string };

/** Parses `metric op value[unit]`. */
export function parseThreshold(expr: string): ParseResult {
  const text = expr.trim();
  const match = /^([a-z0-9_.]+)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*([a-z%/]*)$/i.exec(text);
  if (!match) {
    const op = OPERATORS.find((o) => text.includes(o));
    if (!op) return { ok: false, error: `"${text}" has no comparison: write it as METRIC OP VALUE, e.g. "read.p99 < 200ms" (OP is one of < <= > >= == !=)` };
    return { ok: false, error: `"${text}" is not METRIC OP VALUE[UNIT], e.g. "read.p99 < 200ms" or "errors.rate < 0.1%"` };
  }
  const [, metric, op, number, rawUnit] = match as unknown as [string, string, Operator, string, string];
  const def = metrics().get(metric);
  if (!def) return { ok: false, error: `unknown metric "${metric}"${didYouMean(metric, thresholdMetricNames())}` };
  const unit = rawUnit.toLowerCase();
  const factor = UNIT_FACTORS[def.unit][unit];
  if (factor === undefined) {
    const accepted = Object.keys(UNIT_FACTORS[def.unit]).filter(Boolean);
    return { ok: false, error: `"${metric}" is measured in ${unitName(def.unit)}: unit "${rawUnit}" does not apply${accepted.length ? ` (use ${accepted.join(', ')} or a bare number)` : ' (use a bare number)'}` };
  }
  const value = Number(number) * factor;
  // A rate outside 0–100% compares against something no run can reach: always true or always false.
  if (def.unit === 'ratio' && (value < 0 || value > 1)) return { ok: false, error: `"${metric}" is a fraction between 0 and 1 (0%–100%), got ${number}${rawUnit}` };
  if (value < 0) return { ok: false, error: `"${metric}" is never negative, got ${number}${rawUnit}` };
  return { ok: true, threshold: { expr: text, metric, op, value } };
}

function unitName(unit: MetricUnit): string {
  return { ms: 'milliseconds', s: 'seconds', ratio: 'a fraction (0.001 or 0.1%)', percent: 'percent', mb: 'megabytes', count: 'a count', per_s: 'per second' }[unit];
}

export function compare(value: number, op: Operator, limit: number): boolean {
  switch (op) {
    case '<': return value < limit;
    case '<=': return value <= limit;
    case '>': return value > limit;
    case '>=': return value >= limit;
    case '==': return Math.abs(value - limit) < 1e-9;
    case '!=': return Math.abs(value - limit) >= 1e-9;
  }
}

/** The metric's value on a result document (null when the run has no data for it). */
export function metricValue(doc: ResultDocument, metric: string): number | null {
  return metrics().get(metric)?.get(doc) ?? null;
}

/** Evaluates thresholds; a metric without data fails (a threshold you cannot check is not met). */
export function evaluateThresholds(doc: ResultDocument, specs: readonly (ThresholdSpec | string)[]): ThresholdResult[] {
  return specs.map((spec) => {
    const parsed = typeof spec === 'string' ? parseThreshold(spec) : ({ ok: true, threshold: spec } as const);
    if (!parsed.ok) return { expr: String(spec), value: null, ok: false };
    const { threshold } = parsed;
    const value = metricValue(doc, threshold.metric);
    return { expr: threshold.expr, value, ok: value !== null && compare(value, threshold.op, threshold.value) };
  });
}
