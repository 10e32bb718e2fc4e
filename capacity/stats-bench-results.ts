/**
 * `osqsim bench stats`: what it is given and what it reports, and the pure pieces that summarise
 * timings and write windows.
 */
import type { StatsStrategyName } from '../contract/vocabulary.js';
import type { LatencyDistribution } from '../simulator/open-loop/driver.js';

export interface StatsBenchOptions {
  readonly store: string;
  readonly hosts: number;
  readonly policies: number;
  readonly teams: number;
  readonly strategies: readonly StatsStrategyName[];
  /** Timed aggregation runs per strategy (after one warm-up run). */
  readonly repeats: number;
  readonly reads: number;
  readonly freshnessTrials: number;
  readonly writeRate: number;
  /** Seconds per measured write window. */
  readonly writeSeconds: number;
  /** Rounds of (window without, window during aggregation). */
  readonly writeRounds: number;
  readonly connections: number;
  /** SET GLOBAL innodb_buffer_pool_size for the run (restored afterwards). */
  readonly bufferPoolBytes?: number;
  readonly reset: boolean;
  readonly seed: number;
  readonly progress?: (line: string) => void;
}

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export interface StrategyResult {
  readonly aggregation_ms: Summary;
  /** The bare GROUP BY, timed in rounds interleaved with this strategy's aggregation runs. */
  readonly floor_ms: Summary;
  /** aggregation ÷ floor (medians of the interleaved rounds). */
  readonly aggregation_vs_floor: number;
  readonly rows_scanned: number;
  readonly first_run_drift: number;
  readonly read_ms: Summary;
  /** Write acknowledged → visible in this instance's API answer (null = not within the wait). */
  readonly freshness_api_ms: Summary | null;
  /** Write acknowledged → visible in policy_stats (what other instances read); null for realtime (nothing stored). */
  readonly freshness_store_ms: Summary | null;
  /** What freshness is bounded by when it is not measured (cron: the interval). */
  readonly freshness_note: string;
  readonly write_without: WriteLoad;
  readonly write_during: WriteLoad;
  readonly write_p99_ratio: number;
}

export interface WriteLoad {
  /** Each measured window (interleaved: without, during, without, during, …). */
  readonly rounds: readonly LatencyDistribution[];
  readonly completed: number;
  readonly non_2xx: number;
  readonly rate_per_s: number;
  /** Medians over the rounds of each round's p50 and p99; the largest max. */
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  /** Aggregation runs that overlapped the measured windows (during only). */
  readonly aggregations?: number;
}

/** One measured write window (open loop). */
export interface WindowResult {
  readonly latency: LatencyDistribution;
  readonly completed: number;
  readonly non2xx: number;
  readonly ratePerS: number;
}

export interface StatsBenchParams {
  readonly hosts: number;
  readonly policies: number;
  readonly teams: number;
  readonly membership_rows: number;
  readonly strategies: readonly StatsStrategyName[];
  readonly repeats: number;
  readonly reads: number;
  readonly freshness_trials: number;
  readonly write_rate_per_s: number;
  readonly write_seconds: number;
  readonly write_rounds: number;
  readonly write_connections: number;
  readonly results_per_write: number;
  /** The --store URL, password redacted. */
  readonly store: string;
}

export interface StatsBenchResults {
  readonly seed: { readonly reused: boolean; readonly rows: number; readonly seconds: number; readonly rows_per_s: number };
  readonly floor_group_by_ms: Summary;
  readonly strategies: Partial<Record<StatsStrategyName, StrategyResult>>;
  readonly budgets: ReadonlyArray<{ readonly name: string; readonly value: number; readonly limit: number; readonly ok: boolean }>;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (value: number): number => Math.round(value * 10) / 10;
  if (sorted.length === 0) return { median: 0, min: 0, max: 0, runs: 0 };
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median: round(median), min: round(sorted[0]!), max: round(sorted[sorted.length - 1]!), runs: sorted.length };
}

/** The windows of one condition: medians over the rounds of each round's p50 and p99; the largest max. */
export function combineWindows(windows: readonly WindowResult[], aggregations?: number): WriteLoad {
  const median = (values: number[]): number => summarize(values).median;
  return {
    rounds: windows.map((w) => w.latency),
    completed: windows.reduce((sum, w) => sum + w.completed, 0),
    non_2xx: windows.reduce((sum, w) => sum + w.non2xx, 0),
    rate_per_s: median(windows.map((w) => w.ratePerS)),
    p50_ms: median(windows.map((w) => w.latency.p50)),
    p99_ms: median(windows.map((w) => w.latency.p99)),
    max_ms: Math.max(...windows.map((w) => w.latency.max)),
    ...(aggregations !== undefined ? { aggregations } : {}),
  };
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The budgets (at 10M rows): cron ≤ 1.5 × the bare GROUP BY, incremental visible within 1 s, writes p99 ≤ 1.5 × while aggregating. */
export function statsBudgets(strategies: StatsBenchResults['strategies']): StatsBenchResults['budgets'] {
  const budgets: Array<{ name: string; value: number; limit: number; ok: boolean }> = [];
  const cron = strategies.cron;
  if (cron) {
    const ratio = cron.aggregation_vs_floor;
    budgets.push({ name: 'cron aggregation ÷ bare GROUP BY (interleaved)', value: ratio, limit: 1.5, ok: ratio <= 1.5 });
  }
  const incremental = strategies.incremental;
  if (incremental) {
    const worst = incremental.freshness_api_ms?.max ?? Number.POSITIVE_INFINITY;
    budgets.push({ name: 'incremental freshness (API of the instance that took the write), max ms', value: worst, limit: 1000, ok: worst <= 1000 });
    const others = incremental.freshness_store_ms?.max ?? Number.POSITIVE_INFINITY;
    budgets.push({ name: 'incremental freshness (policy_stats, other instances), max ms', value: others, limit: 1000, ok: others <= 1000 });
  }
  for (const [name, result] of Object.entries(strategies)) {
    budgets.push({
      name: `${name}: write p99 during ÷ without aggregation`,
      value: result.write_p99_ratio,
      limit: 1.5,
      ok: result.write_p99_ratio <= 1.5,
    });
  }
  return budgets;
}
