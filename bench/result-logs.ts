/**
 * Scheduled-query result logs on MySQL: many hosts each POST one `/api/osquery/log` with
 * `log_type: "result"` carrying a snapshot of R rows for each of Q global scheduled queries
 * (osqsim resolves the names, then one transaction per request replaces the host's report rows:
 * per query a COUNT, a SELECT … FOR UPDATE of the host's rows, a DELETE by id and a multi-row
 * INSERT), against a bare mysql2 bulk write of the same rows (per chunk of hosts one transaction:
 * DELETE the chunk's rows, 1000-row INSERTs) in the same run and database. Rounds alternate; every
 * round changes the row values, and the stored rows are checked after each osqsim round.
 *
 *   npx tsx bench/result-logs.ts [--hosts 500] [--queries 5] [--rows 10] [--rounds 4] [--connections 32]
 *                                [--mysql-url mysql://root@127.0.0.1:3306/] [--json]
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { benchDatabase, closedLoop, mean, MYSQL_URL_PARAM, round, startTarget, TARGET_SERVER_PARAMS, targetServerArgs, targetCpuMicros, type Target } from './common.js';
import { defineBench, mysqlFacts, option, positiveInt } from './harness.js';

const CHUNK_ROWS = 1000;

interface Run {
  readonly target: Target;
  readonly conn: Connection;
  readonly hosts: number;
  readonly queries: number;
  readonly rows: number;
  readonly connections: number;
  readonly cpuPerRequestUs: number[];
}

/** Round k's rows of one host for one query. */
const rowsOf = (k: number, host: number, query: number, n: number): Array<Record<string, string>> =>
  Array.from({ length: n }, (_, i) => ({ host: String(host), query: String(query), row: String(i), round: String(k) }));

async function storedRows(run: Run, k: number): Promise<number> {
  const [rows] = await run.conn.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM query_results WHERE JSON_UNQUOTE(JSON_EXTRACT(data, '$.round')) = ?",
    [String(k)],
  );
  return Number(rows[0]!.n);
}

async function osqsimRound(run: Run, k: number): Promise<number> {
  const { target, hosts, queries, rows } = run;
  const unixTime = 1_700_000_000 + k;
  const bodies = target.nodeKeys.map((key, h) =>
    JSON.stringify({
      node_key: key,
      log_type: 'result',
      data: Array.from({ length: queries }, (_, q) => ({
        name: `pack/Global/bench query ${q}`, hostIdentifier: `bench-host-${h}`, unixTime, action: 'snapshot', snapshot: rowsOf(k, h, q, rows),
      })),
    }),
  );
  const cpuBefore = await targetCpuMicros(target.bareUrl);
  const result = await closedLoop(target.osqsimUrl, '/api/osquery/log', bodies, { connections: run.connections, amount: hosts });
  run.cpuPerRequestUs.push(round((await targetCpuMicros(target.bareUrl) - cpuBefore) / hosts, 0));
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`osqsim round ${k}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const stored = await storedRows(run, k);
  if (stored !== hosts * queries * rows) throw new Error(`osqsim round ${k}: ${stored} rows stored, expected ${hosts * queries * rows}`);
  return (hosts * queries * rows) / result.seconds;
}

async function bareRound(run: Run, k: number): Promise<number> {
  const { target, queries, rows } = run;
  const hostsPerChunk = Math.max(1, Math.floor(CHUNK_ROWS / (queries * rows)));
  const now = new Date();
  const started = performance.now();
  for (let start = 0; start < target.hostIds.length; start += hostsPerChunk) {
    const chunk = target.hostIds.slice(start, start + hostsPerChunk);
    const values: unknown[][] = [];
    chunk.forEach((hostId, j) => {
      target.queryIds.forEach((queryId, q) => {
        for (const row of rowsOf(k, start + j, q, rows)) values.push([queryId, hostId, now, JSON.stringify(row), 1]);
      });
    });
    await run.conn.query('START TRANSACTION');
    await run.conn.query('DELETE FROM query_results WHERE query_id IN (?) AND host_id IN (?)', [target.queryIds, chunk]);
    for (let i = 0; i < values.length; i += CHUNK_ROWS) {
      await run.conn.query('INSERT INTO query_results (query_id, host_id, last_fetched, data, has_data) VALUES ?', [values.slice(i, i + CHUNK_ROWS)]);
    }
    await run.conn.query('COMMIT');
  }
  const seconds = (performance.now() - started) / 1000;
  return (target.hostIds.length * queries * rows) / seconds;
}

await defineBench({
  name: 'result-logs',
  description: 'Scheduled-query result logs on MySQL: osqsim /log (reports replaced per host and query) against a bare bulk write of the same rows, interleaved rounds',
  params: {
    hosts: option('--hosts <n>', 'hosts, each posting one result log per round', positiveInt, '500'),
    queries: option('--queries <n>', 'scheduled queries, one snapshot each per log', positiveInt, '5'),
    rows: option('--rows <n>', 'rows per snapshot', positiveInt, '10'),
    rounds: option('--rounds <n>', 'rounds of (osqsim, bare), order alternating', positiveInt, '4'),
    connections: option('--connections <n>', 'keep-alive connections of the closed loop', positiveInt, '32'),
    ...TARGET_SERVER_PARAMS,
    mysqlUrl: MYSQL_URL_PARAM,
  },
  async run(values, log) {
    const { hosts, queries, rows, rounds, connections } = values;
    const machine = await mysqlFacts(values.mysqlUrl);
    const database = await benchDatabase(values.mysqlUrl);
    log(`enrolling ${hosts} hosts with ${queries} scheduled queries…`);
    let target: Target;
    try {
      target = await startTarget([
        '--store', database.url, '--hosts', String(hosts), '--policies', '0', '--queries', String(queries),
        // The report cap must not drop rows here: every host's rows are kept.
        '--query-report-cap', String(hosts * rows),
        ...targetServerArgs(values),
      ]);
    } catch (error) {
      await database.drop();
      throw error;
    }
    const run: Run = { target, conn: await database.connection(), hosts, queries, rows, connections, cpuPerRequestUs: [] };
    const osqsim: number[] = [];
    const bare: number[] = [];
    try {
      await osqsimRound(run, 0); // warm-up, not counted
      await bareRound(run, 1);
      run.cpuPerRequestUs.length = 0;
      for (let r = 0; r < rounds; r++) {
        const k = 2 + 2 * r;
        if (r % 2 === 0) {
          osqsim.push(await osqsimRound(run, k));
          bare.push(await bareRound(run, k + 1));
        } else {
          bare.push(await bareRound(run, k + 1));
          osqsim.push(await osqsimRound(run, k));
        }
        log(`round ${r + 1}/${rounds}: osqsim ${Math.round(osqsim.at(-1)!)} rows/s, bare ${Math.round(bare.at(-1)!)} rows/s`);
      }
    } finally {
      await run.conn.end();
      await target.stop();
      await database.drop();
    }
    const osqsimMean = mean(osqsim);
    const bareMean = mean(bare);
    // Median of the per-round ratios (each round runs both back to back), as bench/ingest.ts.
    const pairRatios = osqsim.map((o, i) => o / bare[i]!).sort((a, b) => a - b);
    const middle = Math.floor(pairRatios.length / 2);
    const ratio = pairRatios.length % 2 === 1 ? pairRatios[middle]! : (pairRatios[middle - 1]! + pairRatios[middle]!) / 2;
    return {
      machine,
      params: { hosts, queries, rows_per_snapshot: rows, rounds, connections, bare_chunk_rows: CHUNK_ROWS },
      results: {
        osqsim_rows_per_s: round(osqsimMean, 0),
        bare_rows_per_s: round(bareMean, 0),
        osqsim_log_requests_per_s: round(osqsimMean / (queries * rows), 1),
        server_cpu_us_per_request: round(mean(run.cpuPerRequestUs), 0),
        ratio_of_means: round(osqsimMean / bareMean, 3),
        osqsim_rounds: osqsim.map((v) => round(v, 0)),
        bare_rounds: bare.map((v) => round(v, 0)),
      },
      ratio: round(ratio, 3),
    };
  },
  format(doc) {
    const r = doc.results;
    return [
      `result logs on MySQL: ${doc.params.hosts} hosts × ${doc.params.queries} queries × ${doc.params.rows_per_snapshot} rows per round`,
      `osqsim /log   ${r.osqsim_rows_per_s} rows/s (${r.osqsim_log_requests_per_s} requests/s, ${r.server_cpu_us_per_request} µs server CPU per request)`,
      `bare write    ${r.bare_rows_per_s} rows/s`,
      `ratio         ${doc.ratio} (median of per-round osqsim ÷ bare; ratio of means ${r.ratio_of_means})`,
    ].join('\n');
  },
}).main();
