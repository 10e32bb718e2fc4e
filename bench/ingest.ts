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
 * Budget (issue 2): osqsim ≥ 0.5 × the bare bulk upsert (rows/s).
 */
import { parseArgs } from 'node:util';
import type { RowDataPacket } from 'mysql2/promise';
import { benchDatabase, closedLoop, machine, mean, mysqlFacts, round, startTarget, targetCpuMicros } from './common.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '2000' },
    policies: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '6' },
    connections: { type: 'string', default: '64' },
    // Target knobs (ms): the hot-path cache's fallback TTL and change-feed period (0 = no feed).
    'host-cache-ttl': { type: 'string', default: '2000' },
    'host-feed-interval': { type: 'string', default: '1000' },
    'mysql-url': { type: 'string', default: process.env.OSQSIM_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/' },
    json: { type: 'boolean', default: false },
  },
});
const hosts = Number(values.hosts);
const policies = Number(values.policies);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const BUDGET = 0.5;
const CHUNK_ROWS = 1000;
const log = (line: string): void => {
  if (!values.json) process.stderr.write(`${line}\n`);
};

/** Round k's answer for (host index, policy index): flips every round. */
const passes = (k: number, hostIndex: number, policyIndex: number): boolean => (k + hostIndex + policyIndex) % 2 === 0;

const info = machine();
Object.assign(info, await mysqlFacts(values['mysql-url']!));
const database = await benchDatabase(values['mysql-url']!);
log(`enrolling ${hosts} hosts with ${policies} policies…`);
let target: Awaited<ReturnType<typeof startTarget>>;
try {
  target = await startTarget([
    '--store', database.url, '--hosts', String(hosts), '--policies', String(policies),
    '--host-cache-ttl', values['host-cache-ttl']!, '--host-feed-interval', values['host-feed-interval']!,
  ]);
} catch (error) {
  await database.drop();
  throw error;
}
const conn = await database.connection();

/** Ingest metrics of the target (sums and counts of its histograms). */
async function ingestStats(): Promise<{ batches: number; hosts: number; commitSeconds: number }> {
  const text = await (await fetch(`${target.osqsimUrl}/metrics`)).text();
  const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    batches: value('osqsim_ingest_batch_hosts_count'),
    hosts: value('osqsim_ingest_batch_hosts_sum'),
    commitSeconds: value('osqsim_ingest_commit_duration_seconds_sum'),
  };
}
const diagnostics: Array<{ hosts_per_batch: number; commit_ms: number; commit_busy: number; server_cpu_us_per_write: number }> = [];

async function countMatching(k: number): Promise<number> {
  // every row of round k: passes = (k + hostIndex + policyIndex) % 2 == 0
  const [rows] = await conn.query<RowDataPacket[]>('SELECT policy_id, host_id, passes FROM policy_membership');
  const hostIndex = new Map(target.hostIds.map((id, i) => [id, i]));
  const policyIndex = new Map(target.policyIds.map((id, i) => [id, i]));
  let matching = 0;
  for (const row of rows) {
    const expected = passes(k, hostIndex.get(Number(row.host_id))!, policyIndex.get(Number(row.policy_id))!);
    if (Number(row.passes) === (expected ? 1 : 0)) matching++;
  }
  return matching;
}

async function osqsimRound(k: number): Promise<number> {
  const bodies = target.nodeKeys.map((key, h) => {
    const queries: Record<string, unknown> = {};
    target.policyIds.forEach((id, p) => (queries[`fleet_policy_query_${id}`] = passes(k, h, p) ? [{ 1: '1' }] : []));
    return JSON.stringify({ node_key: key, queries, statuses: {} });
  });
  const before = await ingestStats();
  const cpuBefore = await targetCpuMicros(target.bareUrl);
  const result = await closedLoop(target.osqsimUrl, '/api/osquery/distributed/write', bodies, { connections, amount: hosts });
  const seconds = result.seconds;
  const cpuAfter = await targetCpuMicros(target.bareUrl);
  const after = await ingestStats();
  const batches = after.batches - before.batches;
  diagnostics.push({
    hosts_per_batch: round((after.hosts - before.hosts) / Math.max(1, batches), 1),
    commit_ms: round(((after.commitSeconds - before.commitSeconds) * 1000) / Math.max(1, batches), 1),
    commit_busy: round((after.commitSeconds - before.commitSeconds) / seconds, 2),
    server_cpu_us_per_write: round((cpuAfter - cpuBefore) / hosts, 0),
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`osqsim round ${k}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return (hosts * policies) / seconds;
}

async function bareRound(k: number): Promise<number> {
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
    await conn.query(
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

const osqsim: number[] = [];
const bare: number[] = [];
let verified = true;
try {
  // Warm-up (not counted): one pass of each, so JIT and buffer pool start equal.
  await osqsimRound(0);
  await bareRound(1);
  diagnostics.length = 0;
  let k = 2;
  for (let r = 0; r < rounds; r++) {
    const order: Array<'osqsim' | 'bare'> = r % 2 === 0 ? ['bare', 'osqsim'] : ['osqsim', 'bare'];
    for (const which of order) {
      const rate = which === 'osqsim' ? await osqsimRound(k) : await bareRound(k);
      const stored = await countMatching(k);
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
  await conn.end();
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
const ratioOfMeans = osqsimRate / bareRate;
const params = { hosts, policies_per_host: policies, rounds, connections, ingest_max_batch_hosts: 500, ingest_max_delay_ms: 5, bare_chunk_rows: CHUNK_ROWS };
const results = {
  osqsim_rows_per_s: round(osqsimRate, 0),
  bare_rows_per_s: round(bareRate, 0),
  ratio_of_means: round(ratioOfMeans, 3),
  osqsim_rounds: osqsim.map((x) => round(x, 0)),
  bare_rounds: bare.map((x) => round(x, 0)),
  verified,
  osqsim_diagnostics: diagnostics,
  budget: BUDGET,
  met: ratio >= BUDGET,
};
if (values.json) {
  process.stdout.write(`${JSON.stringify({ bench: 'ingest', machine: info, params, results, ratio: round(ratio, 3) })}\n`);
} else {
  console.log(`target                          rows/s`);
  console.log(`osqsim distributed/write        ${results.osqsim_rows_per_s}`);
  console.log(`bare mysql2 bulk upsert         ${results.bare_rows_per_s}`);
  for (const d of diagnostics) console.log(`osqsim round: ${d.hosts_per_batch} hosts/batch, ${d.commit_ms} ms/commit, commits busy ${d.commit_busy} of the time, server CPU ${d.server_cpu_us_per_write} µs/write`);
  console.log(`ratio ${round(ratio, 3)} (median of rounds; of means ${round(ratioOfMeans, 3)}) (budget ≥ ${BUDGET}: ${results.met ? 'met' : 'NOT met'}); every round verified in the database: ${verified}`);
  console.log(`machine: ${info.cpus} × ${info.cpu_model}, node ${info.node}, ${info.mysql_version}, innodb_buffer_pool_size ${info.innodb_buffer_pool_bytes}`);
}
