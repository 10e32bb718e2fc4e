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
import { redactUrl } from '../lib/redact.js';
import { Command } from 'commander';
import mysql from 'mysql2/promise';
import { Pool, request } from 'undici';
import { isOsqsimError, osqsimError } from '../lib/errors.js';
import { EXIT, type ExitCode } from '../lib/exit-codes.js';
import { SeededRandom, unitFloat } from '../lib/rng.js';
import { buildServer, type OsqsimServer } from '../server/app.js';
import { STATS_STRATEGIES, type StatsStrategyName } from '../contract/vocabulary.js';
import { statsOf } from '../server/stats/index.js';
import { parseStoreSpec } from '../server/store/index.js';
import { TABLES } from '../server/store/mysql/schema.js';
import { runOpenLoop, type LatencyDistribution } from '../simulator/open-loop/driver.js';
import { machine, type Machine } from './common.js';

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

export interface StatsBenchDocument {
  readonly bench: 'stats';
  readonly machine: Machine;
  readonly params: Record<string, unknown>;
  readonly results: {
    readonly seed: { readonly reused: boolean; readonly rows: number; readonly seconds: number; readonly rows_per_s: number };
    readonly floor_group_by_ms: Summary;
    readonly strategies: Partial<Record<StatsStrategyName, StrategyResult>>;
    readonly budgets: ReadonlyArray<{ readonly name: string; readonly value: number; readonly limit: number; readonly ok: boolean }>;
  };
  /** cron aggregation ÷ bare GROUP BY (the budget is ≤ 1.5). */
  readonly ratio: number | null;
}

const ROWS_PER_STATEMENT = 1000;
const STATEMENTS_PER_TRANSACTION = 10;
const API_TOKEN = 'osqsim-bench-stats';
const WRITE_PATH = '/api/osquery/distributed/write';

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (value: number): number => Math.round(value * 10) / 10;
  if (sorted.length === 0) return { median: 0, min: 0, max: 0, runs: 0 };
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median: round(median), min: round(sorted[0]!), max: round(sorted[sorted.length - 1]!), runs: sorted.length };
}

/** A host's seeded answer for a policy: 60 % pass, 35 % fail, 5 % unknown. */
export function seededPasses(seed: number, policyId: number, hostId: number): 0 | 1 | null {
  const roll = unitFloat(seed, policyId, hostId);
  return roll < 0.6 ? 1 : roll < 0.95 ? 0 : null;
}

/** The team of seeded host h: teams round-robin, every (teams + 1)-th host in no team. */
export function seededTeam(hostId: number, teamIds: readonly number[]): number | null {
  const slot = hostId % (teamIds.length + 1);
  return slot < teamIds.length ? teamIds[slot]! : null;
}

function connectionOptions(url: string, withDatabase = true): mysql.ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port === '' ? 3306 : Number(u.port),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    ...(withDatabase ? { database: decodeURIComponent(u.pathname.replace(/^\//, '')) } : {}),
    decimalNumbers: true,
  };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

const sqlDate = (date: Date): string => `'${date.toISOString().slice(0, 23).replace('T', ' ')}'`;

/** Creates the database if needed, then seeds (or reuses) teams, global policies, hosts and membership. */
async function prepareData(
  options: StatsBenchOptions,
  admin: mysql.Connection,
): Promise<{ reused: boolean; rows: number; seconds: number; policyIds: number[]; teamIds: number[] }> {
  const say = options.progress ?? (() => undefined);
  const count = async (sql: string): Promise<number> => Number(((await admin.query(sql))[0] as Array<{ n: number }>)[0]!.n);
  const expectedRows = options.hosts * options.policies;
  const hosts = await count('SELECT COUNT(*) AS n FROM hosts');
  const policies = await count("SELECT COUNT(*) AS n FROM policies WHERE team_id IS NULL AND name LIKE 'bench-policy-%'");
  const teams = await count("SELECT COUNT(*) AS n FROM teams WHERE name LIKE 'bench-team-%'");
  if (!options.reset && hosts === options.hosts && policies === options.policies && teams === options.teams) {
    const rows = await count('SELECT COUNT(*) AS n FROM policy_membership');
    if (rows === expectedRows) {
      say(`reusing the seeded data: ${hosts} hosts × ${policies} policies = ${rows} membership rows`);
      const policyIds = ((await admin.query('SELECT id FROM policies ORDER BY id'))[0] as Array<{ id: number }>).map((r) => r.id);
      const teamIds = ((await admin.query('SELECT id FROM teams ORDER BY id'))[0] as Array<{ id: number }>).map((r) => r.id);
      return { reused: true, rows, seconds: 0, policyIds, teamIds };
    }
  }
  if (hosts > 0 && !options.reset) {
    throw osqsimError('CLI_INVALID_OPTION', {
      option: '--store',
      reason: `the database holds other data (${hosts} hosts); pass --reset to wipe it or use another database`,
    });
  }
  for (const table of TABLES) await admin.query(`TRUNCATE TABLE \`${table}\``);
  const started = performance.now();
  const now = sqlDate(new Date());
  const teamIds: number[] = [];
  for (let t = 1; t <= options.teams; t++) {
    const [result] = await admin.query(`INSERT INTO teams (name, description, created_at) VALUES (?, '', ${now})`, [`bench-team-${t}`]);
    teamIds.push((result as mysql.ResultSetHeader).insertId);
  }
  const policyIds: number[] = [];
  for (let p = 1; p <= options.policies; p++) {
    const [result] = await admin.query(
      `INSERT INTO policies (team_id, name, query, description, resolution, platforms, checksum, created_at, updated_at)
       VALUES (NULL, ?, ?, '', '', '', UNHEX(MD5(CONCAT_WS(CHAR(0), '', ?))), ${now}, ${now})`,
      [`bench-policy-${p}`, `SELECT 1 FROM osquery_info WHERE ${p} > 0;`, `bench-policy-${p}`],
    );
    policyIds.push((result as mysql.ResultSetHeader).insertId);
  }
  say(`seeding ${options.hosts} hosts …`);
  for (let first = 1; first <= options.hosts; first += ROWS_PER_STATEMENT) {
    const values: string[] = [];
    for (let h = first; h < first + ROWS_PER_STATEMENT && h <= options.hosts; h++) {
      const team = seededTeam(h, teamIds);
      values.push(
        `(${h},'bench-host-${h}','bench-node-${h}',${team ?? 'NULL'},'ubuntu','linux','bench-host-${h}','bench-uuid-${h}',` +
          `${now},${now},${now},${now},${now})`,
      );
    }
    await admin.query(
      `INSERT INTO hosts (id, osquery_host_id, node_key, team_id, platform, fleet_platform, hostname, uuid,
         detail_updated_at, policy_updated_at, last_enrolled_at, created_at, updated_at) VALUES ${values.join(',')}`,
    );
  }
  say(`seeding ${expectedRows.toLocaleString('en')} membership rows (${ROWS_PER_STATEMENT} rows per INSERT, 2 connections) …`);
  let written = 0;
  let lastReport = performance.now();
  const worker = async (share: number): Promise<void> => {
    const connection = await mysql.createConnection(connectionOptions(options.store));
    try {
      let inTransaction = 0;
      for (let index = share; index < policyIds.length; index += 2) {
        const policyId = policyIds[index]!;
        for (let first = 1; first <= options.hosts; first += ROWS_PER_STATEMENT) {
          const values: string[] = [];
          for (let h = first; h < first + ROWS_PER_STATEMENT && h <= options.hosts; h++) {
            values.push(`(${policyId},${h},${seededPasses(options.seed, policyId, h) ?? 'NULL'},${now},${seededTeam(h, teamIds) ?? 0})`);
          }
          if (inTransaction === 0) await connection.query('BEGIN');
          await connection.query(`INSERT INTO policy_membership (policy_id, host_id, passes, updated_at, host_team_id) VALUES ${values.join(',')}`);
          written += values.length;
          if (++inTransaction === STATEMENTS_PER_TRANSACTION) {
            await connection.query('COMMIT');
            inTransaction = 0;
          }
          if (performance.now() - lastReport > 10_000) {
            lastReport = performance.now();
            const seconds = (lastReport - started) / 1000;
            say(`  ${written.toLocaleString('en')} rows in ${seconds.toFixed(0)} s (${Math.round(written / seconds).toLocaleString('en')} rows/s)`);
          }
        }
      }
      if (inTransaction > 0) await connection.query('COMMIT');
    } finally {
      await connection.end();
    }
  };
  await Promise.all([worker(0), worker(1)]);
  await admin.query('ANALYZE TABLE policy_membership, hosts');
  const seconds = (performance.now() - started) / 1000;
  say(`seeded ${written.toLocaleString('en')} rows in ${seconds.toFixed(1)} s`);
  return { reused: false, rows: written, seconds, policyIds, teamIds };
}

async function apiGet(base: string, path: string): Promise<Record<string, unknown>> {
  const response = await request(`${base}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`GET ${path} answered ${response.statusCode}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function policyCounts(base: string, policyId: number): Promise<[number, number]> {
  const body = (await apiGet(base, `/api/v1/fleet/global/policies/${policyId}`)) as { policy: { passing_host_count: number; failing_host_count: number } };
  return [body.policy.passing_host_count, body.policy.failing_host_count];
}

async function storedCounts(admin: mysql.Connection, policyId: number): Promise<[number, number]> {
  const [rows] = await admin.query(
    'SELECT passing_host_count AS p, failing_host_count AS f FROM policy_stats WHERE policy_id = ? AND inherited_team_id IS NULL',
    [policyId],
  );
  const row = (rows as Array<{ p: number; f: number }>)[0];
  return row ? [row.p, row.f] : [0, 0];
}

function writeBody(hostId: number, results: ReadonlyArray<readonly [number, boolean]>): string {
  const queries: Record<string, unknown> = {};
  const statuses: Record<string, number> = {};
  for (const [policyId, passes] of results) {
    queries[`fleet_policy_query_${policyId}`] = passes ? [{ 1: '1' }] : [];
    statuses[`fleet_policy_query_${policyId}`] = 0;
  }
  return JSON.stringify({ node_key: `bench-node-${hostId}`, queries, statuses });
}

async function post(pool: Pool, path: string, body: string): Promise<void> {
  const response = await pool.request({ method: 'POST', path, body, headers: { 'content-type': 'application/json' } });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`POST ${path} answered ${response.statusCode}: ${text.slice(0, 200)}`);
}

async function measureFreshness(
  strategy: StatsStrategyName,
  server: OsqsimServer,
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
  for (let trial = 0; trial < trials; trial++) {
    const hostId = rng.int(1, options.hosts);
    const policyId = rng.pick(policyIds);
    const [rows] = await admin.query('SELECT passes FROM policy_membership WHERE policy_id = ? AND host_id = ?', [policyId, hostId]);
    const before = (rows as Array<{ passes: number | null }>)[0]?.passes ?? null;
    const after = before !== 1;
    const delta: [number, number] = [(after ? 1 : 0) - (before === 1 ? 1 : 0), (after ? 0 : 1) - (before === 0 ? 1 : 0)];
    const apiBefore = await policyCounts(base, policyId);
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
        const now = await policyCounts(base, policyId);
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

interface WindowResult {
  readonly latency: LatencyDistribution;
  readonly completed: number;
  readonly non2xx: number;
  readonly ratePerS: number;
}

async function writeWindow(pool: Pool, bodies: readonly string[], options: StatsBenchOptions, seconds: number): Promise<WindowResult> {
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

function combineWindows(windows: readonly WindowResult[], aggregations?: number): WriteLoad {
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
    for (let i = 0; i < readCount; i++) reads.push((await timed(() => apiGet(base, '/api/v1/fleet/global/policies'))).ms);

    const pool = new Pool(base, { connections: options.connections });
    try {
      say(`${strategy}: freshness …`);
      const freshness = await measureFreshness(strategy, server, base, pool, admin, options, policyIds, rng);

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

export async function runStatsBench(options: StatsBenchOptions): Promise<StatsBenchDocument> {
  const say = options.progress ?? (() => undefined);
  const spec = parseStoreSpec(options.store);
  if (spec.kind !== 'mysql') {
    throw osqsimError('CLI_INVALID_OPTION', { option: '--store', reason: 'bench stats needs a mysql:// URL (its database is created if missing)' });
  }
  const server = await mysql.createConnection(connectionOptions(options.store, false));
  const database = decodeURIComponent(spec.url.pathname.replace(/^\//, ''));
  await server.query(`CREATE DATABASE IF NOT EXISTS \`${database.replace(/`/g, '``')}\``);
  let restorePool: number | undefined;
  try {
    if (options.bufferPoolBytes !== undefined) {
      restorePool = Number(((await server.query('SELECT @@innodb_buffer_pool_size AS n'))[0] as Array<{ n: number }>)[0]!.n);
      say(`SET GLOBAL innodb_buffer_pool_size = ${options.bufferPoolBytes} (was ${restorePool}; restored at the end)`);
      await server.query(`SET GLOBAL innodb_buffer_pool_size = ${Math.round(options.bufferPoolBytes)}`);
    }
    const facts = (await server.query('SELECT @@innodb_buffer_pool_size AS pool, VERSION() AS version'))[0] as Array<{ pool: number; version: string }>;
    const machineFacts: Machine = { ...machine(), innodb_buffer_pool_bytes: Number(facts[0]!.pool), mysql_version: facts[0]!.version };

    // The schema comes from the store's own migration.
    const { createStore } = await import('../server/store/index.js');
    await (await createStore(options.store)).close();
    const admin = await mysql.createConnection(connectionOptions(options.store));
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

      const floorSummary = summarize(floor);
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
      return {
        bench: 'stats',
        machine: machineFacts,
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
          floor_group_by_ms: floorSummary,
          strategies,
          budgets,
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

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}


export function formatStatsBench(doc: StatsBenchDocument): string {
  const { results, params, machine: m } = doc;
  const ms = (s: Summary | null | undefined): string => (s ? `${s.median} (${s.min}–${s.max})` : '—');
  const lines = [
    `osqsim bench stats — ${params['hosts']} hosts × ${params['policies']} global policies, ${params['teams']} teams = ${Number(params['membership_rows']).toLocaleString('en')} membership rows`,
    `machine: ${m.cpus} × ${m.cpu_model}, ${m.mem_gib} GiB, ${m.node}; ${m.mysql_version}, innodb_buffer_pool_size ${((m.innodb_buffer_pool_bytes ?? 0) / 1024 ** 2).toFixed(0)} MiB`,
    results.seed.reused
      ? 'seed: reused the existing data'
      : `seed: ${results.seed.rows.toLocaleString('en')} rows in ${results.seed.seconds} s (${results.seed.rows_per_s.toLocaleString('en')} rows/s)`,
    `floor: bare SELECT … GROUP BY policy_id, all rounds: ${ms(results.floor_group_by_ms)} ms`,
    '',
    '| strategy | aggregation ms (median, min–max) | bare GROUP BY ms, same rounds | ÷ floor | rows scanned | API read ms | freshness: API ms | freshness: policy_stats ms | write p99 ms without | write p99 ms during | p99 ratio |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, r] of Object.entries(results.strategies)) {
    lines.push(
      `| ${name} | ${ms(r.aggregation_ms)} | ${ms(r.floor_ms)} | ${r.aggregation_vs_floor} | ${r.rows_scanned.toLocaleString('en')} | ${ms(r.read_ms)} | ${ms(r.freshness_api_ms)} | ${ms(r.freshness_store_ms)} | ${r.write_without.p99_ms} | ${r.write_during.p99_ms} | ${r.write_p99_ratio} |`,
    );
  }
  lines.push('', 'freshness:');
  for (const [name, r] of Object.entries(results.strategies)) lines.push(`  ${name}: ${r.freshness_note}`);
  lines.push('', 'writes (open loop, latency from intended send time; p50/p99 = median over rounds, per-round p99 in brackets):');
  for (const [name, r] of Object.entries(results.strategies)) {
    const rounds = (load: WriteLoad): string => load.rounds.map((round) => round.p99).join(', ');
    lines.push(
      `  ${name}: without ${r.write_without.completed} req, ${r.write_without.rate_per_s}/s, p50 ${r.write_without.p50_ms} p99 ${r.write_without.p99_ms} [${rounds(r.write_without)}] max ${r.write_without.max_ms}, non-2xx ${r.write_without.non_2xx}`,
      `  ${' '.repeat(name.length)}  during  ${r.write_during.completed} req, ${r.write_during.rate_per_s}/s, p50 ${r.write_during.p50_ms} p99 ${r.write_during.p99_ms} [${rounds(r.write_during)}] max ${r.write_during.max_ms}, non-2xx ${r.write_during.non_2xx}, ${r.write_during.aggregations} aggregation runs overlapped`,
    );
  }
  lines.push('', 'budgets:');
  for (const budget of results.budgets) lines.push(`  ${budget.ok ? 'ok  ' : 'OVER'} ${budget.name}: ${budget.value} (limit ${budget.limit})`);
  return lines.join('\n');
}

interface StatsFlags {
  store: string;
  hosts: string;
  policies: string;
  teams: string;
  strategies: string;
  repeats: string;
  reads: string;
  freshnessTrials: string;
  writeRate: string;
  writeSeconds: string;
  writeRounds: string;
  connections: string;
  bufferPool?: string;
  reset?: boolean;
  seed: string;
  json?: boolean;
}

function positiveInt(option: string, value: string, allowZero = false): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw osqsimError('CLI_INVALID_OPTION', { option, reason: `expected a ${allowZero ? 'non-negative' : 'positive'} integer, got "${value}"` });
  }
  return n;
}

export function optionsFromFlags(flags: StatsFlags): StatsBenchOptions {
  const strategies = flags.strategies.split(',').map((s) => s.trim()).filter(Boolean);
  for (const strategy of strategies) {
    if (!(STATS_STRATEGIES as readonly string[]).includes(strategy)) {
      throw osqsimError('CLI_INVALID_OPTION', { option: '--strategies', reason: `unknown strategy "${strategy}" (cron, realtime, incremental)` });
    }
  }
  return {
    store: flags.store,
    hosts: positiveInt('--hosts', flags.hosts),
    policies: positiveInt('--policies', flags.policies),
    teams: positiveInt('--teams', flags.teams, true),
    strategies: strategies as StatsStrategyName[],
    repeats: positiveInt('--repeats', flags.repeats),
    reads: positiveInt('--reads', flags.reads),
    freshnessTrials: positiveInt('--freshness-trials', flags.freshnessTrials),
    writeRate: positiveInt('--write-rate', flags.writeRate),
    writeSeconds: positiveInt('--write-seconds', flags.writeSeconds),
    writeRounds: positiveInt('--write-rounds', flags.writeRounds),
    connections: positiveInt('--connections', flags.connections),
    ...(flags.bufferPool !== undefined ? { bufferPoolBytes: parseBytes(flags.bufferPool) } : {}),
    reset: flags.reset === true,
    seed: positiveInt('--seed', flags.seed),
  };
}

function parseBytes(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(|b|k|kib|m|mib|g|gib)$/i.exec(value.trim());
  if (!match) throw osqsimError('CLI_INVALID_SIZE', { value });
  const unit = match[2]!.toLowerCase();
  const factor = unit.startsWith('g') ? 1024 ** 3 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('k') ? 1024 : 1;
  return Math.round(Number(match[1]) * factor);
}

export async function runStatsCommand(flags: StatsFlags): Promise<ExitCode> {
  try {
    const options = { ...optionsFromFlags(flags), progress: (line: string) => process.stderr.write(`${line}\n`) };
    const doc = await runStatsBench(options);
    process.stdout.write(flags.json ? `${JSON.stringify(doc)}\n` : `${formatStatsBench(doc)}\n`);
    return EXIT.OK;
  } catch (error) {
    if (isOsqsimError(error)) {
      process.stderr.write(`error: ${error.message}\nhint: ${error.hint}\n`);
      return error.code.startsWith('CLI_') ? EXIT.INVALID_INPUT : EXIT.ERROR;
    }
    process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.ERROR;
  }
}

/** Adds `stats` to the `osqsim bench` command group. */
export function register(bench: Command): void {
  bench
    .command('stats')
    .description('What counting policy results costs per strategy (aggregation, reads, freshness, write latency) vs a bare GROUP BY, on MySQL')
    .requiredOption('--store <url>', 'mysql://user:pass@host:port/db (created if missing; seeded data is reused when the shape matches)')
    .option('--hosts <n>', 'hosts', '100000')
    .option('--policies <n>', 'global policies (every host answers every one)', '100')
    .option('--teams <n>', 'teams (hosts round-robin over the teams and No team)', '10')
    .option('--strategies <list>', 'strategies to measure, comma separated', 'cron,incremental,realtime')
    .option('--repeats <n>', 'timed aggregation runs per strategy (after one warm-up), each after a bare GROUP BY', '5')
    .option('--reads <n>', 'timed API reads per strategy (realtime: at most --repeats)', '20')
    .option('--freshness-trials <n>', 'writes timed until visible (realtime: at most 3)', '10')
    .option('--write-rate <req/s>', 'distributed/write open-loop rate (each write carries every policy)', '100')
    .option('--write-seconds <n>', 'seconds per write window (without, then during aggregation)', '6')
    .option('--write-rounds <n>', 'rounds of the two windows, interleaved', '3')
    .option('--connections <n>', 'HTTP connections for the writes', '16')
    .option('--buffer-pool <size>', 'SET GLOBAL innodb_buffer_pool_size for the run, e.g. 2GiB (restored afterwards)')
    .option('--reset', 'wipe the database and seed again')
    .option('--seed <n>', 'seed of the answers and the random picks', '1')
    .option('--json', 'print one JSON object {bench, machine, params, results, ratio}')
    .action(async (flags: StatsFlags) => {
      process.exitCode = await runStatsCommand(flags);
    });
}

const isEntry = process.argv[1] !== undefined && /bench[\\/]stats\.(ts|js)$/.test(process.argv[1]);
if (isEntry) {
  const program = new Command('bench');
  register(program);
  await program.parseAsync(['node', 'bench', 'stats', ...process.argv.slice(2)]);
}
