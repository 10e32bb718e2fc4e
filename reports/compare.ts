/**
 * Comparing two runs metric by metric (`osqsim report compare BASE NEW --max-regression 10%`).
 *
 * A metric regresses when it moved the wrong way by more than the relative limit AND by more than
 * its absolute floor: a read p99 going from 0.4 ms to 0.5 ms is +25% but no regression anyone
 * should fail a build for. Request rates are shown but never gate: under osquery's fixed-delay loop
 * they are set by the scenario (and fall when the server slows, which the latency already shows).
 */
import { headline } from './headline.js';
import type { ResultDocument } from '../contract/result.js';
import { AGENT_ENDPOINTS } from '../contract/vocabulary.js';

export type Direction = 'lower-is-better' | 'higher-is-better' | 'info';

export interface MetricDelta {
  metric: string;
  unit: string;
  base: number | null;
  next: number | null;
  /** (next − base) ÷ base; null when either side is missing or base is 0. */
  change: number | null;
  direction: Direction;
  regression: boolean;
}

export interface Comparison {
  maxRegression: number;
  deltas: MetricDelta[];
  regressions: MetricDelta[];
}

interface MetricDef {
  metric: string;
  unit: string;
  direction: Direction;
  /** Absolute change below which a move is noise. */
  floor: number;
  get(doc: ResultDocument): number | null;
}

function metricDefs(base: ResultDocument, next: ResultDocument): MetricDef[] {
  const defs: MetricDef[] = [];
  const endpoints = new Set([...Object.keys(base.endpoints), ...Object.keys(next.endpoints)]);
  for (const endpoint of AGENT_ENDPOINTS) {
    if (!endpoints.has(endpoint)) continue;
    const find = (doc: ResultDocument) => headline(doc).endpoints.find((e) => e.endpoint === endpoint);
    for (const p of ['p50', 'p90', 'p99', 'p999'] as const) {
      defs.push({ metric: `${endpoint}.${p}`, unit: 'ms', direction: 'lower-is-better', floor: 1, get: (d) => find(d)?.[p] ?? null });
    }
    defs.push({ metric: `${endpoint}.errors.rate`, unit: '', direction: 'lower-is-better', floor: 0.001, get: (d) => find(d)?.error_rate ?? null });
    defs.push({ metric: `${endpoint}.rate`, unit: '/s', direction: 'info', floor: 0, get: (d) => find(d)?.rate_per_s ?? null });
  }
  defs.push({ metric: 'errors.rate', unit: '', direction: 'lower-is-better', floor: 0.001, get: (d) => headline(d).total.error_rate });
  defs.push({ metric: 'checkins.late.rate', unit: '', direction: 'lower-is-better', floor: 0.01, get: (d) => headline(d).checkins.late_rate });
  defs.push({ metric: 'counts.error.max', unit: 'hosts', direction: 'lower-is-better', floor: 1, get: (d) => headline(d).counts.error_max });
  defs.push({ metric: 'counts.staleness.max', unit: 's', direction: 'lower-is-better', floor: 1, get: (d) => headline(d).counts.staleness_max_s });
  defs.push({ metric: 'aggregation.duration.max', unit: 'ms', direction: 'lower-is-better', floor: 5, get: (d) => (d.aggregations.length ? headline(d).aggregations.duration_max_ms : null) });
  defs.push({ metric: 'server.cpu.avg', unit: '%', direction: 'lower-is-better', floor: 5, get: (d) => headline(d).server?.cpu_avg ?? null });
  defs.push({ metric: 'server.rss.max', unit: 'MB', direction: 'lower-is-better', floor: 10, get: (d) => headline(d).server?.rss_max_mb ?? null });
  void base;
  void next;
  return defs;
}

export function compareResults(base: ResultDocument, next: ResultDocument, maxRegression = 0.1): Comparison {
  const deltas = metricDefs(base, next).map((def): MetricDelta => {
    const b = def.get(base);
    const n = def.get(next);
    const change = b !== null && n !== null && b !== 0 ? (n - b) / Math.abs(b) : null;
    let regression = false;
    if (b !== null && n !== null && def.direction !== 'info') {
      const worse = def.direction === 'lower-is-better' ? n - b : b - n;
      const relative = b === 0 ? (worse > 0 ? Infinity : 0) : worse / Math.abs(b);
      regression = worse > def.floor && relative > maxRegression;
    }
    return { metric: def.metric, unit: def.unit, base: b, next: n, change, direction: def.direction, regression };
  });
  return { maxRegression, deltas, regressions: deltas.filter((d) => d.regression) };
}

export function formatComparison(comparison: Comparison): string {
  const rows = comparison.deltas.map((d) => [
    d.metric,
    formatNumber(d.base, d.unit),
    formatNumber(d.next, d.unit),
    d.change === null ? (d.base === d.next ? '0%' : '–') : `${d.change >= 0 ? '+' : ''}${(d.change * 100).toFixed(1)}%`,
    d.regression ? 'REGRESSION' : d.direction === 'info' ? '(info)' : '',
  ]);
  const header = ['metric', 'base', 'new', 'change', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line)];
  out.push('');
  out.push(
    comparison.regressions.length === 0
      ? `No regression beyond ${(comparison.maxRegression * 100).toFixed(0)}%.`
      : `${comparison.regressions.length} regression${comparison.regressions.length === 1 ? '' : 's'} beyond ${(comparison.maxRegression * 100).toFixed(0)}%: ${comparison.regressions.map((r) => r.metric).join(', ')}`,
  );
  return out.join('\n');
}

function formatNumber(value: number | null, unit: string): string {
  if (value === null) return '–';
  if (unit === '') return `${(value * 100).toFixed(3)}%`;
  const text = Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toFixed(3);
  return `${text}${unit === '/s' || unit === '%' ? unit : ` ${unit}`}`;
}
