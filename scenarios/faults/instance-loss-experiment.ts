/**
 * The instance-loss experiment (issue 16 item 3), shared by test/faults/instance-loss.test.ts and
 * bench/instance-loss.ts: 3 `osqsim server` instances on one MySQL database behind HAProxy, agents
 * checking in through HAProxy, then `kill -9` of the instance that ran the latest stats aggregation.
 * Measured: how long requests failed (HAProxy's health checks take the instance out), how soon another
 * instance ran the aggregation, that no two aggregations ever overlapped (stats_runs), and the
 * row-by-row comparison of every acknowledged result with policy_membership.
 */
import { FleetApi } from '../../contract/fleet-rest.js';
import { Deployment } from '../harness/deployment.js';
import { AckedAgents, compareWithMembership } from './acked-agents.js';
import { Ledger, overlappingRuns, type StatsRun } from './ledger.js';

export interface InstanceLossOptions {
  readonly mysqlUrl: string;
  readonly hosts: number;
  /** Time before the kill and after it (ms). */
  readonly beforeMs?: number;
  readonly afterMs?: number;
  readonly haproxyBinary?: string;
}

export interface InstanceLossResult {
  readonly instances: number;
  readonly killed_instance: number;
  /** Requests that did not answer 200 after the kill, and the last one's time after the kill (ms). */
  readonly failed_after_kill: number;
  readonly failover_ms: number;
  readonly stats_interval_ms: number;
  /** Kill → the next aggregation's start by another instance (ms). */
  readonly lease_moved_ms: number;
  readonly stats_runs: number;
  readonly overlapping_runs: number;
  readonly runs_by_killed_after_kill: number;
  readonly acked_writes: number;
  readonly compared_rows: number;
  readonly lost: number;
}

const STATS_INTERVAL_MS = 2_000;

export async function runInstanceLossExperiment(options: InstanceLossOptions): Promise<InstanceLossResult> {
  const token = 'loss-token';
  const deployment = new Deployment({
    instances: 3,
    loadBalancer: 'haproxy',
    args: [
      '--store', options.mysqlUrl, '--enroll-secret', 'loss-secret', '--api-token', token,
      '--policy-update-interval', '2s', '--max-jitter-percent', '0', '--log-level', 'fatal',
      '--stats-strategy', 'cron', '--stats-interval', `${STATS_INTERVAL_MS}ms`,
    ],
    ...(options.haproxyBinary !== undefined ? { haproxyBinary: options.haproxyBinary } : {}),
  });
  const ledger = await Ledger.open(options.mysqlUrl);
  let agents: AckedAgents | undefined;
  try {
    await deployment.start();
    const ids = await Promise.all(deployment.servers.map(async (s) => (await new FleetApi(s.url, token).statsRunsPage()).instance));
    await new FleetApi(deployment.url, token).applySpecs([
      { name: 'loss-a', query: 'SELECT 1;' },
      { name: 'loss-b', query: 'SELECT 2;' },
    ]);
    agents = new AckedAgents({ url: deployment.url, enrollSecret: 'loss-secret', hosts: options.hosts, intervalMs: 250, requestTimeoutMs: 5_000, prefix: 'loss' });
    await agents.enrollAll();
    agents.start();
    await sleep(options.beforeMs ?? 5_000);
    // The instance that aggregated last: the one most likely to hold the lease next.
    const before = await ledger.statsRuns();
    const lastRunner = before.at(-1)?.instance;
    const victim = Math.max(0, ids.indexOf(lastRunner ?? ''));
    const killAt = Date.now();
    await deployment.servers[victim]!.crash();
    await sleep(options.afterMs ?? 8_000);
    await agents.stop();
    const failed = agents.requests.filter((r) => r.at + r.ms >= killAt && r.outcome !== 200);
    const failoverMs = failed.length === 0 ? 0 : Math.max(...failed.map((r) => r.at + r.ms)) - killAt;
    const runs = await ledger.statsRuns();
    const killedId = ids[victim];
    const after = runs.filter((r: StatsRun) => r.startedAt >= killAt);
    const moved = after.find((r) => r.instance !== killedId);
    const comparison = compareWithMembership(agents.acknowledged, await ledger.membership());
    return {
      instances: 3,
      killed_instance: victim,
      failed_after_kill: failed.length,
      failover_ms: failoverMs,
      stats_interval_ms: STATS_INTERVAL_MS,
      lease_moved_ms: moved === undefined ? -1 : moved.startedAt - killAt,
      stats_runs: runs.length,
      overlapping_runs: overlappingRuns(runs).length,
      runs_by_killed_after_kill: after.filter((r) => r.instance === killedId).length,
      acked_writes: agents.ackedWrites,
      compared_rows: comparison.compared,
      lost: comparison.lost.length,
    };
  } finally {
    await agents?.stop();
    await deployment.stop();
    await ledger.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
