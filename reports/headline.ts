/**
 * The headline figures of a run, computed once from the result document and shared by summary.md,
 * report.html, thresholds and compare, so every view shows the same numbers.
 */
import { type ResultDocument } from '../contract/result.js';
import { AGENT_ENDPOINTS, type AgentEndpointName } from '../contract/vocabulary.js';
import { formatInteger as fmtInt } from '../lib/format.js';

export interface EndpointHeadline {
  endpoint: AgentEndpointName;
  count: number;
  rate_per_s: number;
  errors: number;
  /** Non-2xx ÷ all, 0..1. */
  error_rate: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  service_p99: number;
}

export interface Headline {
  endpoints: EndpointHeadline[];
  total: { count: number; errors: number; error_rate: number; rate_per_s: number };
  checkins: { scheduled: number; late: number; late_rate: number; max_lag_ms: number };
  counts: {
    /** Policies whose server counts were read. */
    policies_read: number;
    /** Max |server − truth| over policies at the last read (hosts); null when never read. */
    error_max: number | null;
    /** Max staleness (s) over policies and the run; null when never read. */
    staleness_max_s: number | null;
  };
  server: { cpu_max: number; cpu_avg: number; rss_max_mb: number; event_loop_p99_max_ms: number } | null;
  aggregations: { runs: number; duration_max_ms: number; duration_avg_ms: number; drift_max: number };
  generator_saturated: boolean;
  /** Which side was saturated and why (older documents without a verdict: the generator flag alone). */
  saturation: { side: 'none' | 'generator' | 'target'; reasons: string[] };
}

/** The run's saturation verdict for people: which side, then why. Empty when neither side was saturated. */
export function saturationSentence(h: Pick<Headline, 'saturation'>): string {
  const { side, reasons } = h.saturation;
  if (side === 'generator') return `**Saturated: the generator (the simulator)** — latencies may be the simulator's, not the server's. ${reasons.join(' ')}`;
  if (side === 'target') return `**Saturated: the target (the server)** — its service time, not the simulator, sets the latency. ${reasons.join(' ')}`;
  return '';
}

export function errorCount(outcomes: Record<string, number> | undefined, errors: Record<string, number | undefined> | undefined): number {
  if (outcomes) return Object.entries(outcomes).reduce((sum, [key, n]) => (key === '2xx' ? sum : sum + (n ?? 0)), 0);
  return Object.values(errors ?? {}).reduce<number>((sum, n) => sum + (n ?? 0), 0);
}

export function headline(doc: ResultDocument): Headline {
  const endpoints: EndpointHeadline[] = [];
  for (const endpoint of AGENT_ENDPOINTS) {
    const result = doc.endpoints[endpoint];
    if (!result) continue;
    const errors = errorCount(result.outcomes, result.errors);
    const all = Math.max(result.count, sumOutcomes(result.outcomes));
    endpoints.push({
      endpoint,
      count: result.count,
      rate_per_s: result.rate_per_s,
      errors,
      error_rate: all > 0 ? errors / all : 0,
      p50: result.latency_ms.p50,
      p90: result.latency_ms.p90,
      p99: result.latency_ms.p99,
      p999: result.latency_ms.p999,
      max: result.latency_ms.max,
      service_p99: result.service_ms.p99,
    });
  }
  const count = endpoints.reduce((sum, e) => sum + Math.max(e.count, 0), 0);
  const errors = endpoints.reduce((sum, e) => sum + e.errors, 0);
  const denominator = endpoints.reduce((sum, e) => {
    const result = doc.endpoints[e.endpoint]!;
    return sum + Math.max(result.count, sumOutcomes(result.outcomes));
  }, 0);

  const read = doc.policies.filter((p) => p.server !== undefined && p.unscored === undefined);
  const samples = doc.server?.samples ?? [];
  const aggregations = doc.aggregations;
  return {
    endpoints,
    total: {
      count,
      errors,
      error_rate: denominator > 0 ? errors / denominator : 0,
      rate_per_s: endpoints.reduce((sum, e) => sum + e.rate_per_s, 0),
    },
    checkins: {
      scheduled: doc.checkins.scheduled,
      late: doc.checkins.late,
      late_rate: doc.checkins.scheduled > 0 ? doc.checkins.late / doc.checkins.scheduled : 0,
      max_lag_ms: doc.checkins.max_lag_ms,
    },
    counts: {
      policies_read: read.length,
      error_max: read.length ? Math.max(...read.map((p) => p.count_error ?? countError(p))) : null,
      staleness_max_s: read.length ? Math.max(0, ...read.map((p) => p.staleness_s ?? 0)) : null,
    },
    server: samples.length
      ? {
          cpu_max: Math.max(...samples.map((s) => s.cpu_pct)),
          cpu_avg: samples.reduce((sum, s) => sum + s.cpu_pct, 0) / samples.length,
          rss_max_mb: Math.max(...samples.map((s) => s.rss_mb)),
          event_loop_p99_max_ms: Math.max(...samples.map((s) => s.event_loop_p99_ms)),
        }
      : null,
    aggregations: {
      runs: aggregations.length,
      duration_max_ms: aggregations.length ? Math.max(...aggregations.map((a) => a.duration_ms)) : 0,
      duration_avg_ms: aggregations.length ? aggregations.reduce((sum, a) => sum + a.duration_ms, 0) / aggregations.length : 0,
      drift_max: aggregations.length ? Math.max(...aggregations.map((a) => a.drift)) : 0,
    },
    generator_saturated: doc.generator.saturated,
    saturation: {
      side: doc.generator.saturated_side ?? (doc.generator.saturated ? 'generator' : 'none'),
      reasons: doc.generator.saturation_reasons ?? (doc.generator.saturated ? doc.generator.warnings : []),
    },
  };
}

function sumOutcomes(outcomes: Record<string, number> | undefined): number {
  return Object.values(outcomes ?? {}).reduce((sum, n) => sum + (n ?? 0), 0);
}

/** |server − truth| over passing and failing, for a policy whose counts were read. */
export function countError(policy: ResultDocument['policies'][number]): number {
  if (!policy.server) return 0;
  return Math.abs(policy.server.passing - policy.truth.passing) + Math.abs(policy.server.failing - policy.truth.failing);
}

// --- formatting shared by summary.md, report.html and the CLI -------------------------------------

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function fmtPct(fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** The one integer formatter (lib/format.ts), under the name the reports use. */
export { fmtInt };

export function fmtRate(n: number): string {
  return n >= 100 ? fmtInt(n) : n.toFixed(1);
}
