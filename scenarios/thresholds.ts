/**
 * Thresholds: `read.p99 < 200ms`, `errors.rate < 0.1%`, `counts.staleness.max < 5s`, … (k6 style).
 * A scenario lists them; the runner evaluates them on the result document and a failed one makes
 * `osqsim run` exit 3. Parsing is pure and reports what is wrong with a "did you mean".
 */
import type { ResultDocument, ThresholdResult } from '../contract/result.js';
import { didYouMean } from '../lib/did-you-mean.js';
import { metricDefinition, metricNames, metricValue, type MetricUnit } from '../reports/metrics.js';

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';
const OPERATORS: readonly Operator[] = ['<=', '>=', '==', '!=', '<', '>'];

export interface ThresholdSpec {
  /** As written: `read.p99 < 200ms`. */
  expr: string;
  metric: string;
  op: Operator;
  /** In the metric's unit. */
  value: number;
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
  const def = metricDefinition(metric);
  if (!def) return { ok: false, error: `unknown metric "${metric}"${didYouMean(metric, metricNames())}` };
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

/**
 * Evaluates thresholds. The one rule for a metric without data: the threshold fails and is marked
 * `no_data` (a limit that cannot be checked is not met; passing it silently would hide a scenario
 * whose traffic never reaches what it claims to measure). docs/scenarios.md "Thresholds".
 */
export function evaluateThresholds(doc: ResultDocument, specs: readonly (ThresholdSpec | string)[]): ThresholdResult[] {
  return specs.map((spec) => {
    const parsed = typeof spec === 'string' ? parseThreshold(spec) : ({ ok: true, threshold: spec } as const);
    if (!parsed.ok) return { expr: String(spec), value: null, ok: false };
    const { threshold } = parsed;
    const value = metricValue(doc, threshold.metric);
    if (value === null) return { expr: threshold.expr, value, ok: false, no_data: true };
    return { expr: threshold.expr, value, ok: compare(value, threshold.op, threshold.value) };
  });
}
