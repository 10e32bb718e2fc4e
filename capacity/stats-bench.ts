/**
 * `osqsim bench stats`: what counting policy results costs, per count strategy, on MySQL.
 *
 * Seeds hosts × policies membership rows in bulk (multi-row INSERTs of 1000 rows, two connections),
 * then for each strategy, on a real server (buildServer) over the same data:
 *  - aggregation: the full run (cron's aggregation, incremental's reconcile, realtime's per-read count);
 *  - read: GET /api/v1/fleet/policies (counts through context.counts);
 *  - freshness: from a distributed/write being acknowledged to the change showing in the counts
 *    (this instance's API, and policy_stats — what other instances read);
 *  - distributed/write latency (open loop, from intended send times) without and while an
 *    aggregation runs in a loop.
 * And the floor: a bare `SELECT policy_id, SUM(passes = 1), SUM(passes = 0) … GROUP BY policy_id`.
 *
 * Data is kept between runs (same database, same shape → reused); --reset wipes the database.
 * Run: `npx tsx bench/stats.ts --store mysql://root@127.0.0.1:3306/osqsim_bench` or `osqsim bench stats …`.
 */
import type mysql from 'mysql2/promise';
import { Pool } from 'undici';
import { STATS_STRATEGIES, type StatsStrategyName } from '../contract/vocabulary.js';
import { osqsimError } from '../lib/errors.js';
import { redactUrl } from '../lib/redact.js';
import { SeededRandom } from '../lib/rng.js';
import { buildServer } from '../server/app.js';
import { statsOf } from '../server/stats/index.js';
import { createStore, parseStoreSpec } from '../server/store/index.js';
import { mysqlConnectionOptions } from '../server/store/mysql/connection.js';
import type { BenchOutcome } from './bench-document.js';
import { queryMysqlFacts } from './bench-mysql.js';
import { API_TOKEN, benchApi, writeBody } from './stats-bench-client.js';
import { combineWindows, round2, statsBudgets, summarize, type StatsBenchOptions, type StatsBenchParams, type StatsBenchResults, type StrategyResult, type WindowResult } from './stats-bench-results.js';
import { connectStore, prepareData, seededPasses } from './stats-bench-seed.js';
import { measureFreshness, writeWindow } from './stats-bench-writes.js';

export type StatsBenchOutcome = BenchOutcome<StatsBenchResults, StatsBenchParams>;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

async function benchStrategy(
  strategy: StatsStrategyName,
  options: StatsBenchOptions,
  admin: mysql.Connection,
  policyIds: readonly number[],
  floorRun: () => Promise<number>,
): Promise<StrategyResult> {
  const say = options.progress ?? (() => undefined);
  const server = await buildServer({
    store: options.store,
    statsStrategy: strategy,
    statsIntervalMs: 3_600_000,
    apiToken: API_TOKEN,
    logLevel: 'error',
    host: '127.0.0.1',
    port: 0,
  });
  try {
    const base = await server.listen();
    const stats = statsOf(server.context)!;
    await stats.runner?.stop(); // the bench drives the runs itself
    const rng = new SeededRandom(options.seed + STATS_STRATEGIES.indexOf(strategy));
    const aggregate = async (): Promise<{ rowsScanned: number; drift: number }> => {
      if (stats.strategy.periodic) return stats.strategy.periodic();
      await stats.strategy.reader.readCounts();
      return { rowsScanned: options.hosts * options.policies, drift: 0 };
    };

    say(`${strategy}: aggregation (1 warm-up + ${options.repeats} timed, each after a bare GROUP BY) …`);
    const first = await aggregate();
    const runs: number[] = [];
    const floors: number[] = [];
    let rowsScanned = first.rowsScanned;
    for (let i = 0; i < options.repeats; i++) {
      floors.push(await floorRun());
      const run = await timed(aggregate);
      runs.push(run.ms);
      rowsScanned = run.value.rowsScanned;
    }

    say(`${strategy}: API reads …`);
    const reads: number[] = [];
    const readCount = strategy === 'realtime' ? Math.min(options.reads, options.repeats) : options.reads;
    for (let i = 0; i < readCount; i++) reads.push((await timed(() => benchApi(base).listPolicies(null))).ms);

    const pool = new Pool(base, { connections: options.connections });
    try {
      say(`${strategy}: freshness …`);
      const freshness = await measureFreshness(strategy, base, pool, admin, options, policyIds, rng);

      // Write bodies: 2000 hosts, each reporting every policy; 5 % of answers differ from the seeded ones.
      const bodies: string[] = [];
      for (let i = 0; i < Math.min(2000, options.hosts); i++) {
        const hostId = rng.int(1, options.hosts);
        bodies.push(writeBody(hostId, policyIds.map((p) => [p, (seededPasses(options.seed, p, hostId) === 1) !== rng.next() < 0.05] as const)));
      }
      say(
        `${strategy}: distributed/write at ${options.writeRate}/s: ${options.writeRounds} rounds of ${options.writeSeconds} s without, ` +
          `then ${options.writeSeconds} s while aggregations run back to back …`,
      );
      await writeWindow(pool, bodies, options, Math.min(3, options.writeSeconds)); // warm the host cache
      const without: WindowResult[] = [];
      const during: WindowResult[] = [];
      let aggregations = 0;
      for (let round = 0; round < options.writeRounds; round++) {
        without.push(await writeWindow(pool, bodies, options, options.writeSeconds));
        let running = true;
        const loop = (async () => {
          while (running) {
            aggregations += 1; // runs started while the window is open
            await aggregate();
          }
        })();
        await new Promise((resolve) => setTimeout(resolve, 50));
        during.push(await writeWindow(pool, bodies, options, options.writeSeconds));
        running = false;
        await loop;
      }
      const writeWithout = combineWindows(without);
      const writeDuring = combineWindows(during, aggregations);
      await stats.strategy.flush();
      return {
        aggregation_ms: summarize(runs),
        floor_ms: summarize(floors),
        aggregation_vs_floor: round2(summarize(runs).median / summarize(floors).median),
        rows_scanned: rowsScanned,
        first_run_drift: first.drift,
        read_ms: summarize(reads),
        freshness_api_ms: freshness.api,
        freshness_store_ms: freshness.store,
        freshness_note:
          strategy === 'cron'
            ? 'not visible until the next run: up to --stats-interval (default 1h) + one aggregation'
            : strategy === 'realtime'
              ? 'every read recounts: visible in the first read after the write'
              : 'this instance: persisted + pending; others: after the next flush (≤ 1 s)',
        write_without: writeWithout,
        write_during: writeDuring,
        write_p99_ratio: writeWithout.p99_ms > 0 ? round2(writeDuring.p99_ms / writeWithout.p99_ms) : 0,
      };
    } finally {
      await pool.close();
    }
  } finally {
    await server.close();
  }
}

export async function runStatsBench(options: StatsBenchOptions): Promise<StatsBenchOutcome> {
  const say = options.progress ?? (() => undefined);
  const spec = parseStoreSpec(options.store);
  if (spec.kind !== 'mysql') {
    throw osqsimError('CLI_INVALID_OPTION', { option: '--store', reason: 'bench stats needs a mysql:// URL (its database is created if missing)' });
  }
  const server = await connectStore(options.store, false);
  const { database } = mysqlConnectionOptions(options.store);
  await server.query(`CREATE DATABASE IF NOT EXISTS \`${database.replace(/`/g, '``')}\``);
  let restorePool: number | undefined;
  try {
    if (options.bufferPoolBytes !== undefined) {
      restorePool = Number(((await server.query('SELECT @@innodb_buffer_pool_size AS n'))[0] as Array<{ n: number }>)[0]!.n);
      say(`SET GLOBAL innodb_buffer_pool_size = ${options.bufferPoolBytes} (was ${restorePool}; restored at the end)`);
      await server.query(`SET GLOBAL innodb_buffer_pool_size = ${Math.round(options.bufferPoolBytes)}`);
    }
    const facts = await queryMysqlFacts(server);

    // The schema comes from the store's own migration.
    await (await createStore(options.store)).close();
    const admin = await connectStore(options.store);
    try {
      const seeded = await prepareData(options, admin);
      say('floor: bare GROUP BY (1 warm-up; timed in rounds interleaved with each strategy) …');
      const floorSql = 'SELECT policy_id, SUM(passes = 1), SUM(passes = 0) FROM policy_membership GROUP BY policy_id';
      await admin.query(floorSql);
      const floor: number[] = [];
      const floorRun = async (): Promise<number> => {
        const ms = (await timed(() => admin.query(floorSql))).ms;
        floor.push(ms);
        return ms;
      };

      const strategies: Partial<Record<StatsStrategyName, StrategyResult>> = {};
      for (const strategy of options.strategies) strategies[strategy] = await benchStrategy(strategy, options, admin, seeded.policyIds, floorRun);

      const cron = strategies.cron;
      return {
        machine: facts,
        params: {
          hosts: options.hosts,
          policies: options.policies,
          teams: options.teams,
          membership_rows: options.hosts * options.policies,
          strategies: options.strategies,
          repeats: options.repeats,
          reads: options.reads,
          freshness_trials: options.freshnessTrials,
          write_rate_per_s: options.writeRate,
          write_seconds: options.writeSeconds,
          write_rounds: options.writeRounds,
          write_connections: options.connections,
          results_per_write: options.policies,
          store: redactUrl(options.store),
        },
        results: {
          seed: {
            reused: seeded.reused,
            rows: seeded.rows,
            seconds: round2(seeded.seconds),
            rows_per_s: seeded.seconds > 0 ? Math.round(seeded.rows / seeded.seconds) : 0,
          },
          floor_group_by_ms: summarize(floor),
          strategies,
          budgets: statsBudgets(strategies),
        },
        ratio: cron ? cron.aggregation_vs_floor : null,
      };
    } finally {
      await admin.end();
    }
  } finally {
    if (restorePool !== undefined) {
      await server.query(`SET GLOBAL innodb_buffer_pool_size = ${restorePool}`).catch(() => undefined);
    }
    await server.end();
  }
}
