/**
 * `osqsim bench stats`, the write side: how long a written answer takes to show in the counts
 * (freshness), and distributed/write latency in open-loop windows.
 */
import type mysql from 'mysql2/promise';
import type { Pool } from 'undici';
import type { StatsStrategyName } from '../contract/vocabulary.js';
import type { SeededRandom } from '../lib/rng.js';
import { runOpenLoop } from '../simulator/open-loop/driver.js';
import { benchApi, policyCounts, post, storedCounts, WRITE_PATH, writeBody } from './stats-bench-client.js';
import { summarize, type StatsBenchOptions, type Summary, type WindowResult } from './stats-bench-results.js';

export async function measureFreshness(
  strategy: StatsStrategyName,
  base: string,
  pool: Pool,
  admin: mysql.Connection,
  options: StatsBenchOptions,
  policyIds: readonly number[],
  rng: SeededRandom,
): Promise<{ api: Summary | null; store: Summary | null }> {
  const apiTimes: number[] = [];
  const storeTimes: number[] = [];
  const trials = strategy === 'realtime' ? Math.min(3, options.freshnessTrials) : options.freshnessTrials;
  const api = benchApi(base);
  for (let trial = 0; trial < trials; trial++) {
    const hostId = rng.int(1, options.hosts);
    const policyId = rng.pick(policyIds);
    const [rows] = await admin.query('SELECT passes FROM policy_membership WHERE policy_id = ? AND host_id = ?', [policyId, hostId]);
    const before = (rows as Array<{ passes: number | null }>)[0]?.passes ?? null;
    const after = before !== 1;
    const delta: [number, number] = [(after ? 1 : 0) - (before === 1 ? 1 : 0), (after ? 0 : 1) - (before === 0 ? 1 : 0)];
    const apiBefore = await policyCounts(api, policyId);
    const storeBefore = await storedCounts(admin, policyId);
    // A random phase against the 1 s flush timer, so the trials sample every distance to the next flush.
    await new Promise((resolve) => setTimeout(resolve, rng.int(0, 1000)));
    await post(pool, WRITE_PATH, writeBody(hostId, [[policyId, after]]));
    const acknowledged = performance.now();
    const deadline = acknowledged + 5000;
    let apiSeen = false;
    let storeSeen = strategy === 'realtime' || strategy === 'cron';
    while ((!apiSeen || !storeSeen) && performance.now() < deadline) {
      if (!apiSeen) {
        const now = await policyCounts(api, policyId);
        if (now[0] === apiBefore[0] + delta[0] && now[1] === apiBefore[1] + delta[1]) {
          apiSeen = true;
          apiTimes.push(performance.now() - acknowledged);
        } else if (strategy === 'cron') {
          break; // cron shows it only after the next run: bounded by the interval, not measured
        }
      }
      if (!storeSeen) {
        const now = await storedCounts(admin, policyId);
        if (now[0] === storeBefore[0] + delta[0] && now[1] === storeBefore[1] + delta[1]) {
          storeSeen = true;
          storeTimes.push(performance.now() - acknowledged);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  return {
    api: apiTimes.length === trials ? summarize(apiTimes) : null,
    store: strategy === 'incremental' && storeTimes.length === trials ? summarize(storeTimes) : null,
  };
}

export async function writeWindow(pool: Pool, bodies: readonly string[], options: StatsBenchOptions, seconds: number): Promise<WindowResult> {
  const result = await runOpenLoop({
    pool,
    path: WRITE_PATH,
    bodies,
    ratePerS: options.writeRate,
    durationMs: seconds * 1000,
    connections: options.connections,
  });
  const non2xx = Object.entries(result.statusCodes)
    .filter(([status]) => !status.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    latency: result.latencyMs,
    completed: result.completed,
    non2xx: non2xx + result.errors.connect + result.errors.timeout + result.errors.other + result.unsent,
    ratePerS: result.completed / (result.elapsedMs / 1000),
  };
}
