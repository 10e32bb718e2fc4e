/**
 * The crash experiment (issue 16 item 2), shared by test/faults/crash.test.ts and bench/crash.ts:
 * `kill -9` of `osqsim server` on MySQL while agents write, then a restart on the same port and
 * database. Checked: every result acknowledged before the kill is in policy_membership (compared
 * right after the kill, row by row), hosts whose writes were not acknowledged send them again, and
 * after the restart the stored counts (policy_stats) reach the truth computed from membership.
 */
import { FleetApi } from '../../contract/fleet-rest.js';
import { ServerProcess } from '../harness/server-process.js';
import { AckedAgents, compareWithMembership } from './acked-agents.js';
import { Ledger, type PolicyCounts } from './ledger.js';

export interface CrashExperimentOptions {
  readonly mysqlUrl: string;
  readonly hosts: number;
  /** Kills (each followed by a restart). */
  readonly crashes: number;
  /** Writing time before each kill (ms). */
  readonly herdMs?: number;
  /** Time the server stays dead (ms). */
  readonly downMs?: number;
  readonly log?: (line: string) => void;
}

export interface CrashResult {
  readonly crashes: number;
  readonly hosts: number;
  readonly acked_writes: number;
  /** Acknowledged results compared with membership right after each kill (summed over kills). */
  readonly compared_at_kill: number;
  readonly lost_at_kill: number;
  /** Hosts holding results that were not acknowledged when the server came back (summed). */
  readonly retained_at_restart: number;
  /** …and at the end (all re-sent and acknowledged: 0). */
  readonly retained_at_end: number;
  readonly compared_at_end: number;
  readonly lost_at_end: number;
  /** Restart → the server answers (ms, the slowest restart). */
  readonly restart_ms: number;
  /** Agents stopped → policy_stats equal the truth from membership (ms), or -1 if never. */
  readonly converged_ms: number;
  readonly counts: PolicyCounts[];
  readonly truth: PolicyCounts[];
}

const POLICY_INTERVAL_MS = 2_000;

export async function runCrashExperiment(options: CrashExperimentOptions): Promise<CrashResult> {
  const token = 'crash-token';
  const server = new ServerProcess({
    port: 0,
    args: [
      '--store', options.mysqlUrl, '--enroll-secret', 'crash-secret', '--api-token', token,
      '--policy-update-interval', `${POLICY_INTERVAL_MS}ms`, '--max-jitter-percent', '0', '--log-level', 'fatal',
      '--stats-strategy', 'cron', '--stats-interval', '1s',
    ],
    detached: false,
  });
  const ledger = await Ledger.open(options.mysqlUrl);
  const log = options.log ?? (() => undefined);
  let agents: AckedAgents | undefined;
  try {
    const url = await server.start();
    await new FleetApi(url, token).applySpecs([
      { name: 'crash-a', query: 'SELECT 1;' },
      { name: 'crash-b', query: 'SELECT 2;' },
    ]);
    agents = new AckedAgents({ url, enrollSecret: 'crash-secret', hosts: options.hosts, intervalMs: 250, requestTimeoutMs: 5_000, prefix: 'crash' });
    await agents.enrollAll();
    agents.start();
    let comparedAtKill = 0;
    let lostAtKill = 0;
    let retainedAtRestart = 0;
    let restartMs = 0;
    for (let crash = 0; crash < options.crashes; crash++) {
      await sleep(options.herdMs ?? 3_000);
      await server.crash();
      // The process is gone: no further acknowledgement can arrive. What it acknowledged is stored.
      const atKill = compareWithMembership(agents.acknowledged, await ledger.membership());
      comparedAtKill += atKill.compared;
      lostAtKill += atKill.lost.length;
      log(`kill ${crash + 1}: ${atKill.compared} acknowledged results compared, ${atKill.lost.length} lost`);
      await sleep(options.downMs ?? 1_000);
      retainedAtRestart += agents.retained;
      const started = Date.now();
      await server.start();
      restartMs = Math.max(restartMs, Date.now() - started);
    }
    // Every host is due again within one policy interval: retained results are re-sent and stored.
    await sleep(2 * POLICY_INTERVAL_MS + 1_000);
    await agents.stop();
    const retainedAtEnd = agents.retained;
    const atEnd = compareWithMembership(agents.acknowledged, await ledger.membership());
    const stoppedAt = Date.now();
    let convergedMs = -1;
    let counts: PolicyCounts[] = [];
    let truth: PolicyCounts[] = [];
    while (Date.now() - stoppedAt < 15_000) {
      truth = await ledger.truthFromMembership();
      counts = await ledger.storedCounts();
      if (JSON.stringify(truth) === JSON.stringify(counts)) {
        convergedMs = Date.now() - stoppedAt;
        break;
      }
      await sleep(250);
    }
    return {
      crashes: options.crashes,
      hosts: options.hosts,
      acked_writes: agents.ackedWrites,
      compared_at_kill: comparedAtKill,
      lost_at_kill: lostAtKill,
      retained_at_restart: retainedAtRestart,
      retained_at_end: retainedAtEnd,
      compared_at_end: atEnd.compared,
      lost_at_end: atEnd.lost.length,
      restart_ms: restartMs,
      converged_ms: convergedMs,
      counts,
      truth,
    };
  } finally {
    await agents?.stop();
    await server.stop();
    await ledger.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
