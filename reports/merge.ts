/**
 * Merging result documents of the shards of one run (`osqsim simulate --shard i/n` on several
 * machines with a shared start time). Endpoint counts add and histograms add bucket by bucket, so
 * the merged percentiles are exactly those of one big run. Per-second windows carry no histogram:
 * their counts add exactly, their p50 is count-weighted and their p99/max are the shards' maximum
 * (an upper bound), which is what the charts need.
 */
import { osqsimError } from '../lib/errors.js';
import { createHistogram, encodeHistogram, mergeInto, percentilesMs } from '../lib/histogram.js';
import { RESULT_SCHEMA, sumAgentBehaviour, type EndpointResult, type PolicyResult, type ResultDocument, type Window } from '../contract/result.js';
import { AGENT_ENDPOINTS, OUTCOMES, type Outcome } from '../contract/vocabulary.js';

/** Results that do not make one run (lib/errors.ts RESULT_MERGE_INVALID, invalid input). */
const mergeError = (reason: string) => osqsimError('RESULT_MERGE_INVALID', { reason });

export function mergeResults(docs: readonly ResultDocument[]): ResultDocument {
  if (docs.length === 0) throw mergeError('nothing to merge');
  docs.forEach((doc, i) => {
    if (doc.schema !== RESULT_SCHEMA) throw mergeError(`input ${i + 1} is not an ${RESULT_SCHEMA} document (schema ${JSON.stringify(doc.schema)})`);
  });
  if (docs.length === 1) return docs[0]!;
  const first = docs[0]!;
  const sharded = checkShardsOfOneRun(docs);
  const endpoints: ResultDocument['endpoints'] = {};
  for (const endpoint of AGENT_ENDPOINTS) {
    const parts = docs.map((d) => d.endpoints[endpoint]).filter((e): e is EndpointResult => e !== undefined);
    if (parts.length) endpoints[endpoint] = mergeEndpoint(parts);
  }

  const starts = docs.map((d) => Date.parse(d.run.started_at)).filter(Number.isFinite);
  const shards = docs.map((d) => d.run.shard).filter((s) => s !== undefined);
  return {
    schema: RESULT_SCHEMA,
    scenario: first.scenario,
    run: {
      ...first.run,
      started_at: starts.length ? new Date(Math.min(...starts)).toISOString() : first.run.started_at,
      duration_s: Math.max(...docs.map((d) => d.run.duration_s)),
      hosts: sharded ? Math.max(...docs.map((d) => d.run.hosts)) : sum(docs.map((d) => d.run.hosts)),
      workers: sum(docs.map((d) => d.run.workers)),
      connections: sum(docs.map((d) => d.run.connections)),
      target: [...new Set(docs.flatMap((d) => d.run.target))],
      shard: shards.length ? { index: 0, count: shards[0]!.count } : undefined,
    },
    endpoints,
    checkins: {
      scheduled: sum(docs.map((d) => d.checkins.scheduled)),
      late: sum(docs.map((d) => d.checkins.late)),
      max_lag_ms: Math.max(...docs.map((d) => d.checkins.max_lag_ms)),
    },
    windows: mergeWindows(docs.map((d) => d.windows)),
    policies: mergePolicies(docs.map((d) => d.policies)),
    aggregations: dedupe(docs.flatMap((d) => d.aggregations), (a) => `${a.strategy}@${a.started_at}`).sort((a, b) => a.started_at.localeCompare(b.started_at)),
    server: docs.find((d) => d.server)?.server,
    generator: {
      cpu_pct: Math.max(...docs.map((d) => d.generator.cpu_pct)),
      event_loop_p99_ms: Math.max(...docs.map((d) => d.generator.event_loop_p99_ms)),
      max_in_flight: sum(docs.map((d) => d.generator.max_in_flight)),
      saturated: docs.some((d) => d.generator.saturated),
      warnings: docs.flatMap((d, i) => d.generator.warnings.map((w) => `shard ${i + 1}: ${w}`)),
      // A shard whose generator saturated makes the merged figures partly the simulator's; else any slow shard saw the target.
      saturated_side: docs.some((d) => d.generator.saturated) ? 'generator' : docs.some((d) => d.generator.saturated_side === 'target') ? 'target' : 'none',
      saturation_reasons: docs.flatMap((d, i) => (d.generator.saturation_reasons ?? []).map((w) => `shard ${i + 1}: ${w}`)),
      client_queue_p99_ms: Math.max(0, ...docs.map((d) => d.generator.client_queue_p99_ms ?? 0)),
    },
    ...(docs.some((d) => d.agents) ? { agents: sumAgentBehaviour(docs.map((d) => d.agents)) } : {}),
    // Thresholds are re-evaluated on the merged document by whoever merges (cli/report.ts).
    thresholds: [],
    ...(docs.some((d) => d.timeline) ? { timeline: docs.find((d) => d.timeline)!.timeline } : {}),
    ...(docs.some((d) => d.counts) ? { counts: docs.find((d) => d.counts)!.counts } : {}),
  };
}

/**
 * Whether the inputs are shards of one run (true) or whole runs to add up (false); refuses what would
 * not make one run: a mix of shards and whole runs, different shard counts, seeds, host counts or run
 * ids, and the same shard twice (its requests would count twice). Results written before run ids
 * existed carry none and are compared on the rest.
 */
function checkShardsOfOneRun(docs: readonly ResultDocument[]): boolean {
  const shardOf = docs.map((d) => d.run.shard);
  const shardCount = shardOf.filter((s) => s !== undefined).length;
  if (shardCount === 0) return false;
  if (shardCount !== docs.length) {
    const whole = shardOf.findIndex((s) => s === undefined);
    throw mergeError(`input ${whole + 1} is a whole run (no --shard), the others are shards: merge the shards of one run`);
  }
  const first = docs[0]!.run;
  const seen = new Set<number>();
  docs.forEach((doc, i) => {
    const s = doc.run.shard!;
    const n = i + 1;
    if (s.count !== shardOf[0]!.count) throw mergeError(`input ${n} is shard ${s.index}/${s.count}, input 1 is of ${shardOf[0]!.count} shards: not the same run`);
    if (doc.run.seed !== first.seed) throw mergeError(`input ${n} has seed ${doc.run.seed}, input 1 seed ${first.seed}: shards of one run share --seed`);
    if (doc.run.hosts !== first.hosts) throw mergeError(`input ${n} is of a ${doc.run.hosts}-host run, input 1 of a ${first.hosts}-host run: shards of one run share --hosts`);
    if (!sameRun(doc.run.run_id, first.run_id)) {
      throw mergeError(`input ${n} belongs to run ${doc.run.run_id ?? '(none: older osqsim)'}, input 1 to run ${first.run_id ?? '(none: older osqsim)'}: start every shard with the same --start-at (the run id derives from it)`);
    }
    if (seen.has(s.index)) throw mergeError(`input ${n} is shard ${s.index}/${s.count} again: each shard may be merged once`);
    seen.add(s.index);
  });
  return true;
}

const UNSCHEDULED = 'unscheduled-';

/**
 * Whether two run ids can be one run. Shards started without --start-at each draw a unique
 * `unscheduled-…` id (simulator/identity.ts), so two of them prove nothing either way: like results
 * written before run ids, they are compared on seed, hosts and shard count only (shards started by hand
 * on one machine keep merging). A scheduled id never matches an unscheduled one or another scheduled one.
 */
function sameRun(a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  return a !== undefined && b !== undefined && a.startsWith(UNSCHEDULED) && b.startsWith(UNSCHEDULED);
}

function mergeEndpoint(parts: readonly EndpointResult[]): EndpointResult {
  const latency = createHistogram();
  const service = createHistogram();
  for (const part of parts) {
    mergeInto(latency, part.histogram);
    mergeInto(service, part.service_histogram);
  }
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, sum(parts.map((p) => p.outcomes?.[o] ?? 0))])) as Record<Outcome, number>;
  const errors: EndpointResult['errors'] = {};
  for (const o of OUTCOMES) {
    if (o === '2xx') continue;
    const n = sum(parts.map((p) => p.errors?.[o] ?? 0));
    if (n > 0) errors[o] = n;
  }
  const merged: EndpointResult = {
    count: sum(parts.map((p) => p.count)),
    outcomes,
    errors,
    rate_per_s: round3(sum(parts.map((p) => p.rate_per_s))),
    // Percentiles from the merged buckets; the max from the parts (a decoded histogram only knows its bucket).
    latency_ms: latency.totalCount > 0 ? { ...percentilesMs(latency), max: Math.max(...parts.map((p) => p.latency_ms.max)) } : parts[0]!.latency_ms,
    service_ms: service.totalCount > 0 ? { ...percentilesMs(service), max: Math.max(...parts.map((p) => p.service_ms.max)) } : parts[0]!.service_ms,
    histogram: encodeHistogram(latency),
    service_histogram: encodeHistogram(service),
  };
  latency.destroy();
  service.destroy();
  return merged;
}

function mergeWindows(series: ReadonlyArray<readonly Window[]>): Window[] {
  const byT = new Map<number, Window[]>();
  for (const windows of series) for (const w of windows) byT.set(w.t, [...(byT.get(w.t) ?? []), w]);
  return [...byT.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, parts]) => {
      const endpoints: Window['endpoints'] = {};
      for (const endpoint of AGENT_ENDPOINTS) {
        const cells = parts.map((p) => p.endpoints[endpoint]).filter((c) => c !== undefined);
        if (!cells.length) continue;
        const count = sum(cells.map((c) => c.count));
        endpoints[endpoint] = {
          count,
          errors: sum(cells.map((c) => c.errors)),
          p50: round3(count > 0 ? sum(cells.map((c) => c.p50 * c.count)) / count : 0),
          p99: Math.max(...cells.map((c) => c.p99)),
          max: Math.max(...cells.map((c) => c.max)),
        };
      }
      return { t, warmup: parts.every((p) => p.warmup), hosts_enrolled: sum(parts.map((p) => p.hosts_enrolled)), endpoints };
    });
}

function mergePolicies(lists: ReadonlyArray<readonly PolicyResult[]>): PolicyResult[] {
  const byId = new Map<number, PolicyResult>();
  for (const list of lists) {
    for (const p of list) {
      const seen = byId.get(p.id);
      if (!seen) {
        byId.set(p.id, { ...p, truth: { ...p.truth } });
        continue;
      }
      // Each shard holds different hosts: truths add. The server's counts are global: keep one.
      seen.truth.passing += p.truth.passing;
      seen.truth.failing += p.truth.failing;
      seen.truth.unknown += p.truth.unknown;
      seen.server ??= p.server;
      seen.name ??= p.name;
      if (p.staleness_s !== undefined) seen.staleness_s = Math.max(seen.staleness_s ?? 0, p.staleness_s);
    }
  }
  const merged = [...byId.values()].sort((a, b) => a.id - b.id);
  for (const p of merged) {
    if (p.server) p.count_error = Math.abs(p.server.passing - p.truth.passing) + Math.abs(p.server.failing - p.truth.failing);
  }
  return merged;
}

function dedupe<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
