/**
 * The database-outage experiment (issue 16 item 1), shared by test/faults/db-outage.test.ts (≈ 10 s
 * outages) and bench/outage.ts (30 s): `osqsim server` on MySQL through a TCP fault proxy, deterministic
 * agents checking in, an outage of one mode mid-run, then recovery. Reported: what each osquery endpoint
 * answered before, during and after the outage, how long after the database returned a new host could
 * enroll and have its first results stored, and the row-by-row comparison of every acknowledged result
 * with policy_membership.
 */
import { FleetApi } from '../../contract/fleet-rest.js';
import { mysqlConnectionOptions } from '../../server/store/mysql/connection.js';
import { counterFromMetrics } from '../harness/prometheus.js';
import { ServerProcess } from '../harness/server-process.js';
import { AckedAgents, compareWithMembership, type Endpoint } from './acked-agents.js';
import { Ledger } from './ledger.js';
import { TcpFaultProxy, type OutageMode } from './tcp-proxy.js';

export interface OutageExperimentOptions {
  /** The MySQL database the server uses (reached through the proxy). */
  readonly mysqlUrl: string;
  readonly modes: readonly OutageMode[];
  readonly outageMs: number;
  readonly hosts: number;
  /** Healthy time before each outage and after recovery (ms; after ≥ 2 policy intervals). */
  readonly healthyMs?: number;
  readonly log?: (line: string) => void;
}

export interface OutageResult {
  readonly mode: OutageMode;
  readonly outage_ms: number;
  /** Outcome counts per endpoint while the database was unreachable. */
  readonly during: Partial<Record<Endpoint, Record<string, number>>>;
  /** Outcome counts per endpoint from 1 s after full service to the end. */
  readonly after: Partial<Record<Endpoint, Record<string, number>>>;
  /** Enrolls of new hosts tried once a second during the outage (3 s timeout, all ended before the database returned). */
  readonly enroll_probes: Record<string, number>;
  /** /healthz answers during the outage (3 s timeout). */
  readonly healthz_during: Record<string, number>;
  /** Database back → a new host enrolled and its first results stored (ms). */
  readonly recovery_ms: number;
  /** distributed/write answered 200 during the outage whose store write failed (server counter delta). */
  readonly write_store_errors: number;
  readonly acked_writes: number;
  readonly compared_rows: number;
  readonly lost: number;
  readonly lost_sample: ReturnType<typeof compareWithMembership>['lost'];
}

const POLICY_INTERVAL_MS = 2_000;
const ENDPOINTS: readonly Endpoint[] = ['enroll', 'distributed/read', 'distributed/write'];

export async function runOutageExperiment(options: OutageExperimentOptions): Promise<OutageResult[]> {
  const { connection } = mysqlConnectionOptions(options.mysqlUrl);
  const proxy = new TcpFaultProxy({ targetHost: String(connection.host), targetPort: Number(connection.port) });
  await proxy.start();
  const token = 'outage-token';
  const server = new ServerProcess({
    port: 0,
    args: [
      '--store', proxy.rewrite(options.mysqlUrl), '--enroll-secret', 'outage-secret', '--api-token', token,
      '--policy-update-interval', `${POLICY_INTERVAL_MS}ms`, '--max-jitter-percent', '0', '--log-level', 'fatal',
      '--stats-strategy', 'cron', '--stats-interval', '2s',
    ],
    detached: false,
  });
  const ledger = await Ledger.open(options.mysqlUrl);
  const log = options.log ?? (() => undefined);
  const healthyMs = options.healthyMs ?? 3_000;
  const results: OutageResult[] = [];
  try {
    const url = await server.start();
    await new FleetApi(url, token).applySpecs([
      { name: 'outage-a', query: 'SELECT 1;' },
      { name: 'outage-b', query: 'SELECT 2;' },
      { name: 'outage-c', query: 'SELECT 3;' },
    ]);
    let probes = 0;
    for (const mode of options.modes) {
      const agents = new AckedAgents({ url, enrollSecret: 'outage-secret', hosts: options.hosts, intervalMs: 500, requestTimeoutMs: options.outageMs + 10_000, prefix: `outage-${mode}` });
      await agents.enrollAll();
      agents.start();
      await sleep(healthyMs);
      const errorsBefore = await writeStoreErrors(url);
      log(`${mode}: outage of ${options.outageMs / 1000}s starts`);
      const faultAt = Date.now();
      proxy.fault(mode);
      const enrollProbes: Record<string, number> = {};
      const healthz: Record<string, number> = {};
      // Probes start once a second and are not awaited in turn: one that hangs does not hide the next.
      // None starts in the outage's last 3 s, so every probe ends (3 s timeout) before the database returns.
      const probesDone: Promise<void>[] = [];
      while (Date.now() - faultAt < options.outageMs - 3_000) {
        const identifier = `probe-during-${mode}-${probes++}`;
        probesDone.push(
          (async () => {
            const [enroll, health] = await Promise.all([agents.probeEnroll(identifier, 3_000), get(`${url}/healthz`, 3_000)]);
            enrollProbes[String(enroll)] = (enrollProbes[String(enroll)] ?? 0) + 1;
            healthz[String(health)] = (healthz[String(health)] ?? 0) + 1;
          })(),
        );
        await sleep(1_000);
      }
      await sleep(Math.max(0, options.outageMs - (Date.now() - faultAt)));
      proxy.heal();
      const healedAt = Date.now();
      log(`${mode}: database back`);
      // Full service: a new host enrolls, is asked its policies and has its results stored.
      let recoveryMs = Number.POSITIVE_INFINITY;
      while (Date.now() - healedAt < 60_000) {
        const probe = new AckedAgents({ url, enrollSecret: 'outage-secret', hosts: 1, intervalMs: 0, requestTimeoutMs: 5_000, prefix: `probe-after-${mode}-${probes++}` });
        const enrolled = (await probe.enrollAll()) === 1;
        log(`${mode}: +${Date.now() - healedAt} ms: enroll ${JSON.stringify(probe.outcomes('enroll'))}`);
        if (enrolled) {
          await probe.checkInAll();
          log(`${mode}: +${Date.now() - healedAt} ms: read ${JSON.stringify(probe.outcomes('distributed/read'))} write ${JSON.stringify(probe.outcomes('distributed/write'))}`);
          const [nodeKey] = probe.nodeKeys();
          if (probe.ackedWrites === 1 && (await ledger.rowsOfHost(nodeKey!)) === 3) {
            recoveryMs = Date.now() - healedAt;
            break;
          }
        }
        await sleep(100);
      }
      log(`${mode}: full service ${recoveryMs} ms after the database returned`);
      await Promise.all(probesDone);
      const errorsAfter = await writeStoreErrors(url);
      // Every host writes again after recovery (it is due every policy interval): the last result
      // each host had acknowledged is then one the store took.
      await sleep(Math.max(healthyMs, 2 * POLICY_INTERVAL_MS));
      await agents.stop();
      const comparison = compareWithMembership(agents.acknowledged, await ledger.membership());
      const window = (from: number, to: number) =>
        Object.fromEntries(ENDPOINTS.map((e) => [e, agents.outcomes(e, from, to)])) as OutageResult['during'];
      results.push({
        mode,
        outage_ms: options.outageMs,
        during: window(faultAt, healedAt),
        after: window(healedAt + Math.min(recoveryMs, 10_000) + 1_000, Number.POSITIVE_INFINITY),
        enroll_probes: enrollProbes,
        healthz_during: healthz,
        recovery_ms: recoveryMs,
        write_store_errors: errorsAfter - errorsBefore,
        acked_writes: agents.ackedWrites,
        compared_rows: comparison.compared,
        lost: comparison.lost.length,
        lost_sample: comparison.lost.slice(0, 5),
      });
    }
  } finally {
    await server.stop();
    await proxy.stop();
    await ledger.close();
  }
  return results;
}

async function writeStoreErrors(url: string): Promise<number> {
  const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  return counterFromMetrics(await response.text(), 'osqsim_osquery_write_store_errors_total') ?? 0;
}

async function get(url: string, timeoutMs: number): Promise<number | 'reset' | 'timeout'> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return (error as Error).name === 'TimeoutError' ? 'timeout' : 'reset';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
