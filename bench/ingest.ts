/**
 * Policy-result ingest throughput on MySQL: many concurrent hosts each POST one distributed/write
 * carrying 20 policy results (group commit: batched, one transaction per batch, answered after
 * commit), against a bare mysql2 bulk upsert of the same rows (1000-row INSERT … ON DUPLICATE KEY
 * UPDATE plus the hosts' policy_updated_at, one transaction per chunk, on one connection) in the
 * same run and the same database. Rounds alternate, and every round flips the stored answers so
 * each upsert really changes rows. The writers are a closed loop of N keep-alive connections
 * (common.ts closedLoop; autocannon's amount mode rounds a run up to its 1 s tick, which capped
 * earlier figures at ≈ 1 000 writes/s).
 *
 *   npx tsx bench/ingest.ts [--hosts 2000] [--policies 20] [--rounds 6] [--connections 64]
 *                           [--mysql-url mysql://root@127.0.0.1:3306/] [--json]
 *
 * Budget: osqsim ≥ 0.5 × the bare bulk upsert (rows/s).
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { benchDatabase, closedLoop, mean, MYSQL_URL_PARAM, round, startTarget, TARGET_SERVER_PARAMS, targetServerArgs, targetCpuMicros, type Target } from './common.js';
import { defineBench, mysqlFacts, option, positiveInt } from './harness.js';

const BUDGET = 0.5;
const CHUNK_ROWS = 1000;

/** Round k's answer for (host index, policy index): flips every round. */
const passes = (k: number, hostIndex: number, policyIndex: number): boolean => (k + hostIndex + policyIndex) % 2 === 0;

interface Diagnostics {
  hosts_per_batch: number;
  commit_ms: number;
  commit_busy: number;
  server_cpu_us_per_write: number;
}

/** One run's fixed parts: the target, a connection to its database, and the shape. */
interface Run {
  readonly target: Target;
  readonly conn: Connection;
  readonly hosts: number;
  readonly policies: number;
  readonly connections: number;
  readonly diagnostics: Diagnostics[];
}

/** Ingest metrics of the target (sums and counts of its histograms). */
async function ingestStats(target: Target): Promise<{ batches: number; hosts: number; commitSeconds: number }> {
  const text = await (await fetch(`${target.osqsimUrl}/metrics`)).text();
  const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    batches: value('osqsim_ingest_batch_hosts_count'),
    hosts: value('osqsim_ingest_batch_hosts_sum'),
    commitSeconds: value('osqsim_ingest_commit_duration_seconds_sum'),
  };
}

async function countMatching(run: Run, k: number): Promise<number> {
  // every row of round k: passes = (k + hostIndex + policyIndex) % 2 == 0
  const [rows] = await run.conn.query<RowDataPacket[]>('SELECT policy_id, host_id, passes FROM policy_membership');
  const hostIndex = new Map(run.target.hostIds.map((id, i) => [id, i]));
  const policyIndex = new Map(run.target.policyIds.map((id, i) => [id, i]));
  let matching = 0;
  for (const row of rows) {
    const expected = passes(k, hostIndex.get(Number(row.host_id))!, policyIndex.get(Number(row.policy_id))!);
    if (Number(row.passes) === (expected ? 1 : 0)) matching++;
  }
  return matching;
}

async function osqsimRound(run: Run, k: number): Promise<number> {
  const { target, hosts, policies } = run;
  const bodies = target.nodeKeys.map((key, h) => {
    const queries: Record<string, unknown> = {};
    target.policyIds.forEach((id, p) => (queries[`fleet_policy_query_${id}`] = passes(k, h, p) ? [{ 1: '1' }] : []));
    return JSON.stringify({ node_key: key, queries, statuses: {} });
  });
  const before = await ingestStats(target);
  const cpuBefore = await targetCpuMicros(target.bareUrl);
  const result = await closedLoop(target.osqsimUrl, '/api/osquery/distributed/write', bodies, { connections: run.connections, amount: hosts });
  const seconds = result.seconds;
  const cpuAfter = await targetCpuMicros(target.bareUrl);
  const after = await ingestStats(target);
  const batches = after.batches - before.batches;
  run.diagnostics.push({
    hosts_per_batch: round((after.hosts - before.hosts) / Math.max(1, batches), 1),
    commit_ms: round(((after.commitSeconds - before.commitSeconds) * 1000) / Math.max(1, batches), 1),
    commit_busy: round((after.commitSeconds - before.commitSeconds) / seconds, 2),
    server_cpu_us_per_write: round((cpuAfter - cpuBefore) / hosts, 0),
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`osqsim round ${k}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return (hosts * policies) / seconds;
}

async function bareRound(run: Run, k: number): Promise<number> {
  const { target, policies } = run;
  const rows: string[] = [];
  const now = new Date().toISOString().slice(0, 23).replace('T', ' ');
  target.hostIds.forEach((hostId, h) => {
    target.policyIds.forEach((policyId, p) => rows.push(`(${policyId},${hostId},${passes(k, h, p) ? 1 : 0},'${now}')`));
  });
  const hostsPerChunk = Math.max(1, Math.floor(CHUNK_ROWS / policies));
  const started = performance.now();
  for (let start = 0; start < target.hostIds.length; start += hostsPerChunk) {
    const chunkHosts = target.hostIds.slice(start, start + hostsPerChunk);
    const chunkRows = rows.slice(start * policies, (start + chunkHosts.length) * policies);
    await run.conn.query(
      `START TRANSACTION;
       INSERT INTO policy_membership (policy_id, host_id, passes, updated_at) VALUES ${chunkRows.join(',')}
         ON DUPLICATE KEY UPDATE passes = VALUES(passes), updated_at = VALUES(updated_at);
       UPDATE hosts SET policy_updated_at = '${now}' WHERE id IN (${chunkHosts.join(',')});
       COMMIT`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  return rows.length / seconds;
}

await defineBench({
  name: 'ingest',
  description: 'Policy-result ingest on MySQL: osqsim distributed/write against a bare mysql2 bulk upsert, interleaved rounds',
  params: {
    hosts: option('--hosts <n>', 'hosts, each writing once per round', positiveInt, '2000'),
    policies: option('--policies <n>', 'policy results per write', positiveInt, '20'),
    rounds: option('--rounds <n>', 'rounds of (osqsim, bare), order alternating', positiveInt, '6'),
    connections: option('--connections <n>', 'keep-alive connections of the closed loop', positiveInt, '64'),
    ...TARGET_SERVER_PARAMS,
    mysqlUrl: MYSQL_URL_PARAM,
  },
  async run(values, log) {
    const { hosts, policies, rounds, connections } = values;
    const machine = await mysqlFacts(values.mysqlUrl);
    const database = await benchDatabase(values.mysqlUrl);
    log(`enrolling ${hosts} hosts with ${policies} policies…`);
    let target: Target;
    try {
      target = await startTarget([
        '--store', database.url, '--hosts', String(hosts), '--policies', String(policies),
        ...targetServerArgs(values),
      ]);
    } catch (error) {
      await database.drop();
      throw error;
    }
    const run: Run = { target, conn: await database.connection(), hosts, policies, connections, diagnostics: [] };

    const osqsim: number[] = [];
    const bare: number[] = [];
    let verified = true;
    try {
      // Warm-up (not counted): one pass of each, so JIT and buffer pool start equal.
      await osqsimRound(run, 0);
      await bareRound(run, 1);
      run.diagnostics.length = 0;
      let k = 2;
      for (let r = 0; r < rounds; r++) {
        const order: Array<'osqsim' | 'bare'> = r % 2 === 0 ? ['bare', 'osqsim'] : ['osqsim', 'bare'];
        for (const which of order) {
          const rate = which === 'osqsim' ? await osqsimRound(run, k) : await bareRound(run, k);
          const stored = await countMatching(run, k);
          if (stored !== hosts * policies) {
            verified = false;
            log(`round ${k} (${which}): only ${stored} of ${hosts * policies} rows hold the written answer`);
          }
          (which === 'osqsim' ? osqsim : bare).push(rate);
          log(`round ${k}: ${which} ${Math.round(rate)} rows/s`);
          k++;
        }
      }
    } finally {
      await run.conn.end();
      await target.stop();
      await database.drop();
    }

    const osqsimRate = mean(osqsim);
    const bareRate = mean(bare);
    // Each round runs both, back to back: the median of the per-round ratios resists the machine's
    // load swings better than the ratio of the means (printed too).
    const pairRatios = osqsim.map((o, i) => o / bare[i]!).sort((a, b) => a - b);
    const middle = Math.floor(pairRatios.length / 2);
    const ratio = pairRatios.length % 2 === 1 ? pairRatios[middle]! : (pairRatios[middle - 1]! + pairRatios[middle]!) / 2;
    return {
      machine,
      params: { hosts, policies_per_host: policies, rounds, connections, ingest_max_batch_hosts: 500, ingest_max_delay_ms: 5, bare_chunk_rows: CHUNK_ROWS },
      results: {
        osqsim_rows_per_s: round(osqsimRate, 0),
        bare_rows_per_s: round(bareRate, 0),
        ratio_of_means: round(osqsimRate / bareRate, 3),
        osqsim_rounds: osqsim.map((x) => round(x, 0)),
        bare_rounds: bare.map((x) => round(x, 0)),
        verified,
        osqsim_diagnostics: run.diagnostics,
        budget: BUDGET,
        met: ratio >= BUDGET,
      },
      ratio: round(ratio, 3),
    };
  },
  format(doc) {
    const { results, machine: m } = doc;
    return [
      `target                          rows/s`,
      `osqsim distributed/write        ${results.osqsim_rows_per_s}`,
      `bare mysql2 bulk upsert         ${results.bare_rows_per_s}`,
      ...results.osqsim_diagnostics.map(
        (d) => `osqsim round: ${d.hosts_per_batch} hosts/batch, ${d.commit_ms} ms/commit, commits busy ${d.commit_busy} of the time, server CPU ${d.server_cpu_us_per_write} µs/write`,
      ),
      `ratio ${doc.ratio} (median of rounds; of means ${results.ratio_of_means}) (budget ≥ ${BUDGET}: ${results.met ? 'met' : 'NOT met'}); every round verified in the database: ${results.verified}`,
      `machine: ${m.cpus} × ${m.cpu_model}, node ${m.node}, ${m.mysql_version}, innodb_buffer_pool_size ${m.innodb_buffer_pool_bytes}`,
    ].join('\n');
  },
}).main();
