/**
 * How long `osqsim run` waits, after the simulator stopped, for the server's counts to match the final
 * truth before it scores them (the wait ends as soon as they match). Pure.
 *
 * - realtime counts on read: 3 s; no strategy known (a target): 5 s.
 * - incremental and cron: the interval + 3 s, at most 90 s.
 * - cron on one server process, when this process has run it already: no wait if its next run cannot
 *   start before that deadline. Its counts change only when it runs, and this process runs it every
 *   interval after the previous run ended (server/stats/runner.ts), so the next run starts no earlier
 *   than the latest one's start + the interval; waiting for nothing cost a miniature of an hourly cron
 *   (interval 180 s at --time-scale 20) the whole 90 s. Not applied with several instances (each ticks
 *   on its own clock) or before this process's first run (due min(10 s, interval) after its start).
 */
import type { ApiStatsRun } from '../contract/fleet-rest.js';
import type { StatsStrategyName } from '../contract/vocabulary.js';

export const CATCH_UP_SLACK_MS = 3000;
export const CATCH_UP_MAX_MS = 90_000;

export interface CatchUpInput {
  nowMs: number;
  strategy: StatsStrategyName | null;
  intervalMs: number;
  /** Recorded aggregation runs (GET /api/v1/osqsim/stats/runs). */
  runs: readonly Pick<ApiStatsRun, 'strategy' | 'started_at'>[];
  /** When the one server process (re)started; undefined with several instances or an external target. */
  serverStartedMs: number | undefined;
}

/** Epoch ms until which the final read may wait for the counts to catch up. */
export function catchUpDeadline(input: CatchUpInput): number {
  const { nowMs, strategy, intervalMs, serverStartedMs } = input;
  if (strategy === 'realtime') return nowMs + 3000;
  if (strategy === null) return nowMs + 5000;
  const deadline = nowMs + Math.min(CATCH_UP_MAX_MS, intervalMs + CATCH_UP_SLACK_MS);
  if (strategy !== 'cron' || serverStartedMs === undefined) return deadline;
  const ranHere = input.runs.filter((r) => r.strategy === 'cron').map((r) => Date.parse(r.started_at)).filter((t) => Number.isFinite(t) && t >= serverStartedMs);
  if (ranHere.length === 0) return deadline;
  return Math.max(...ranHere) + intervalMs > deadline ? nowMs : deadline;
}
