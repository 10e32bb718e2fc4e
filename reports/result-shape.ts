/**
 * The shape of a result document (contract/result.ts) as `report merge`, `report compare` and the
 * renderers read it back (lib/shape.ts), plus the one check a shape cannot make: every histogram
 * decodes. Optional sections may be absent; present ones must be well-formed.
 */
import type { ResultDocument } from '../contract/result.js';
import { RESULT_SCHEMA } from '../contract/result.js';
import { decodeHistogram } from '../lib/histogram.js';
import { anything, arrayOf, bool, literal, nullable, num, object, optional, recordOf, shapeProblem, str, type Shape } from '../lib/shape.js';

const percentiles = object({ p50: num, p90: num, p99: num, p999: num, max: num });
const machine = object({ cpus: num, cpu_model: str, memory_gb: num, node: str, platform: str });

const endpoint = object({
  count: num,
  outcomes: recordOf(num),
  errors: recordOf(num),
  rate_per_s: num,
  latency_ms: percentiles,
  service_ms: percentiles,
  histogram: str,
  service_histogram: str,
});

export const RESULT_SHAPE: Shape = object({
  schema: literal(RESULT_SCHEMA),
  scenario: recordOf(anything),
  run: object({
    started_at: str, duration_s: num, warmup_s: num, hosts: num, workers: num, connections: num, target: arrayOf(str), store: str,
    edited_policies: optional(str), seed: num, run_id: optional(str), shard: optional(object({ index: num, count: num })), osqsim_version: str, machine,
  }),
  endpoints: recordOf(endpoint),
  checkins: object({ scheduled: num, late: num, max_lag_ms: num }),
  windows: arrayOf(object({ t: num, warmup: bool, hosts_enrolled: num, endpoints: recordOf(object({ count: num, errors: num, p50: num, p99: num, max: num })) })),
  policies: arrayOf(object({
    id: num, query: str, name: optional(str), truth: object({ passing: num, failing: num, unknown: num }),
    server: optional(object({ passing: num, failing: num, updated_at: nullable(str) })), staleness_s: optional(num), count_error: optional(num), unscored: optional(str),
  })),
  aggregations: arrayOf(object({ strategy: str, instance: optional(str), started_at: str, duration_ms: num, rows: num, drift: num })),
  server: optional(object({ samples: arrayOf(object({ t: num, cpu_pct: num, rss_mb: num, event_loop_p99_ms: num, membership_writes_per_s: optional(num), scheduled_query_rows_per_s: optional(num) })) })),
  generator: object({ cpu_pct: num, event_loop_p99_ms: num, max_in_flight: num, saturated: bool, warnings: arrayOf(str) }),
  agents: optional(recordOf(num)),
  thresholds: arrayOf(object({ expr: str, value: nullable(num), ok: bool })),
  timeline: optional(arrayOf(object({ t: num, kind: str, detail: str, ok: bool, skipped: optional(bool), error: optional(str) }))),
  counts: optional(object({ samples: arrayOf(object({ t: num, error_max: num, policies_off: num, staleness_max_s: num })) })),
  deployment: optional(object({
    load_balancer: str, targets: arrayOf(str), simulator_processes: num, lease_overlap_s: num,
    instances: arrayOf(object({ index: num, url: str, instance_id: optional(str), requests: num, requests_by_endpoint: recordOf(num), cpu_pct_mean: num, cpu_pct_max: num, rss_mb_max: num, lease_held_s: num, stats_runs: num })),
    stats_lease: arrayOf(object({ instance: num, strategy: str, started_at: str, t: num, duration_ms: num })),
  })),
  plan: optional(object({ rates: recordOf(num), membership_writes_per_s: num, membership_rows: num, vitals_rows_per_s: optional(num) })),
});

/** What is wrong with a parsed result document, or undefined when it can be merged, compared and rendered. */
export function resultDocumentProblem(doc: unknown): string | undefined {
  const problem = shapeProblem(doc, RESULT_SHAPE);
  if (problem !== undefined) return problem;
  for (const [name, endpoint] of Object.entries((doc as ResultDocument).endpoints)) {
    for (const key of ['histogram', 'service_histogram'] as const) {
      const encoded = endpoint![key];
      if (encoded === '') continue;
      try {
        decodeHistogram(encoded).destroy();
      } catch (error) {
        return `endpoints.${name}.${key} is not an encoded HdrHistogram (${(error as Error).message})`;
      }
    }
  }
  return undefined;
}
