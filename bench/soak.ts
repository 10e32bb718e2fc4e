/**
 * bench/soak.ts — a long run on MySQL that must leave nothing behind (issue 16 item 5): N hosts (default
 * 20,000) for a duration (default 1 h) through `osqsim run`, once per count strategy (cron, incremental),
 * with a timeline of policy edits, a refetch and a server restart. Checked, per strategy:
 *   - errors: 0 outside the restart and its recovery grace (`errors.outside_faults.rate`, reports/fault-windows.ts;
 *     during the restart every agent request fails by design) and the counts exact at the end;
 *   - InnoDB deadlocks: 0 (the global `Innodb_deadlocks` status counter, before vs after);
 *   - resident memory growth < 10% after warm-up, server and simulator: the median of the last tenth of
 *     the run against the median of the tenth after the warm-up (the restart is placed before that
 *     baseline, so the server compared is one process);
 *   - event-loop delay p99 flat: the server's median sample p99 in the last third ≤ 1.5 × the one in the
 *     baseline tenth + 5 ms (a few ms of noise on a shared machine is not a trend).
 * The simulator runs in this process (osqsim run's workers are threads), so its memory is this
 * process's RSS, sampled every second.
 *
 *   npx tsx bench/soak.ts [--hosts 20000] [--duration 1h] [--store mysql://root@127.0.0.1:3306/osqsim_soak] [--json > soak.json]
 *
 * The CI variant is test/bench/soak.test.ts (300 hosts for 60 s, one strategy): the 3-minute version the
 * issue asks for does not fit the CI budget.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { runCommand } from '../cli/run.js';
import type { ResultDocument, ServerSample } from '../contract/result.js';
import { EXIT } from '../lib/exit-codes.js';
import { scenariosDir } from '../scenarios/builtin.js';
import { formatDurationMs, parseDurationMs } from '../lib/units.js';
import { mysqlConnectionOptions } from '../server/store/mysql/connection.js';
import { defineBench, mysqlFacts, option, positiveInt, text } from './harness.js';

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)]!;
};

/** Samples (t in seconds) within [from, to). */
const within = <S extends { t: number }>(samples: readonly S[], from: number, to: number): S[] => samples.filter((s) => s.t >= from && s.t < to);

export interface SoakVerdict {
  strategy: string;
  errors_outside_restart: number | null;
  counts_error_max: number | null;
  deadlocks: number;
  /** The statements of the latest deadlock, when it was in the run's database. */
  deadlock_statements?: string[];
  server_rss_growth: number | null;
  simulator_rss_growth: number | null;
  server_event_loop_p99_baseline_ms: number | null;
  server_event_loop_p99_end_ms: number | null;
  failures: string[];
}

/** The checks on one run (pure): see the module comment. `durationS`/`warmupS` of the run. */
export function soakVerdict(input: { strategy: string; doc: ResultDocument; deadlocks: number; simulatorRss: ReadonlyArray<{ t: number; rss_mb: number }>; durationS: number; warmupS: number }): SoakVerdict {
  const { doc, durationS, warmupS } = input;
  const tenth = (durationS - warmupS) / 10;
  const baseline = [warmupS, warmupS + tenth] as const;
  const end = [durationS - tenth, durationS + 1] as const;
  const server: readonly ServerSample[] = doc.server?.samples ?? [];
  const growth = (samples: ReadonlyArray<{ t: number; rss_mb: number }>): number | null => {
    const first = within(samples, ...baseline).map((s) => s.rss_mb);
    const last = within(samples, ...end).map((s) => s.rss_mb);
    return first.length && last.length ? median(last) / median(first) - 1 : null;
  };
  const loopBase = within(server, ...baseline).map((s) => s.event_loop_p99_ms);
  const loopEnd = within(server, durationS - (durationS - warmupS) / 3, durationS + 1).map((s) => s.event_loop_p99_ms);
  const threshold = (expr: string): number | null => doc.thresholds.find((t) => t.expr === expr)?.value ?? null;
  const verdict: SoakVerdict = {
    strategy: input.strategy,
    errors_outside_restart: threshold('errors.outside_faults.rate == 0'),
    counts_error_max: threshold('counts.error.max == 0'),
    deadlocks: input.deadlocks,
    server_rss_growth: growth(server),
    simulator_rss_growth: growth(input.simulatorRss),
    server_event_loop_p99_baseline_ms: loopBase.length ? median(loopBase) : null,
    server_event_loop_p99_end_ms: loopEnd.length ? median(loopEnd) : null,
    failures: [],
  };
  const f = verdict.failures;
  if (verdict.errors_outside_restart !== 0) f.push(`errors outside the restart: ${verdict.errors_outside_restart ?? 'no data'}`);
  if (verdict.counts_error_max !== 0) f.push(`counts off by ${verdict.counts_error_max ?? 'no data'} at the end`);
  if (verdict.deadlocks !== 0) f.push(`${verdict.deadlocks} InnoDB deadlocks`);
  for (const [who, g] of [['server', verdict.server_rss_growth], ['simulator', verdict.simulator_rss_growth]] as const) {
    if (g === null) f.push(`${who} RSS: no samples`);
    else if (g >= 0.1) f.push(`${who} RSS grew ${(g * 100).toFixed(1)}% after warm-up`);
  }
  const { server_event_loop_p99_baseline_ms: base, server_event_loop_p99_end_ms: last } = verdict;
  if (base === null || last === null) f.push('server event-loop delay: no samples');
  else if (last > base * 1.5 + 5) f.push(`server event-loop p99 rose from ${base} ms to ${last} ms`);
  return verdict;
}

/** The soak scenario: edits, a refetch and a restart placed before the memory baseline. */
export function soakScenario(hosts: number, durationMs: number, strategy: string): string {
  const at = (fraction: number): string => `${Math.round(durationMs * fraction)}ms`;
  return `name: soak-${strategy}
description: soak, ${hosts} hosts for ${formatDurationMs(durationMs)} on MySQL (${strategy})
seed: 21
hosts: ${hosts}
duration: ${durationMs}ms
warmup: ${at(0.2)}
server:
  policy_update_interval: ${at(0.1)}
  detail_update_interval: ${at(0.25)}
  stats: { strategy: ${strategy}, interval: ${Math.max(2000, Math.round(durationMs / 60))}ms }
agent:
  distributed_interval: 10s
  config_refresh: 60s
  logger_tls_period: 10s
  start_period: ${Math.min(60_000, Math.round(durationMs * 0.05))}ms
fleet: builtin
policies:
  file: [${['macos', 'windows', 'linux', 'cross-platform'].map((name) => join(scenariosDir(), 'policies', `${name}.yml`)).join(', ')}]
timeline:
  - at: ${at(0.1)}
    restart_server: { down_for: 2s }
  - at: ${at(0.3)}
    edit_policies: { count: 3 }
  - at: ${at(0.45)}
    refetch_hosts: { percent: 20 }
  - at: ${at(0.6)}
    edit_policies: {}
  - at: ${at(0.8)}
    add_policies: { count: 5 }
thresholds:
  - errors.outside_faults.rate == 0
  - counts.error.max == 0
`;
}

async function deadlocks(store: string): Promise<number> {
  const connection = await mysql.createConnection(mysqlConnectionOptions(store).connection);
  try {
    const [rows] = await connection.query("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'");
    return Number((rows as Array<{ Value: string }>)[0]?.Value ?? 0);
  } finally {
    await connection.end();
  }
}

/**
 * The statements of InnoDB's latest detected deadlock when it involved `database` (the status counter
 * is global: on a shared server other databases' deadlocks count too, this says whether the last one was ours).
 */
async function latestDeadlockIn(store: string): Promise<string[] | undefined> {
  const { connection: options, database } = mysqlConnectionOptions(store);
  const connection = await mysql.createConnection(options);
  try {
    const [rows] = await connection.query('SHOW ENGINE INNODB STATUS');
    const status = String((rows as Array<{ Status: string }>)[0]?.Status ?? '');
    const section = /LATEST DETECTED DEADLOCK\n-+\n([\s\S]*?)\n-+\nTRANSACTIONS/.exec(status)?.[1];
    if (section === undefined || !section.includes(`\`${database}\``)) return undefined;
    return section.split('\n').filter((line) => /^(DELETE|UPDATE|INSERT|SELECT|REPLACE)\b/i.test(line.trim())).map((line) => line.trim());
  } finally {
    await connection.end();
  }
}

async function freshDatabase(store: string): Promise<void> {
  const { connection: options, database } = mysqlConnectionOptions(store);
  if (!/^\w+$/.test(database)) throw new Error(`--store needs a database name: ${store}`);
  const connection = await mysql.createConnection(options);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await connection.query(`CREATE DATABASE \`${database}\``);
  } finally {
    await connection.end();
  }
}

export const soakBench = defineBench({
  name: 'soak',
  description: 'Long run on MySQL: 0 errors outside a restart, 0 deadlocks, flat memory and event-loop delay (cron and incremental)',
  params: {
    hosts: option('--hosts <n>', 'simulated hosts', positiveInt, '20000'),
    duration: option('--duration <d>', 'run length per strategy (e.g. 1h, 60s)', text, '1h'),
    strategies: option('--strategies <list>', 'count strategies, one run each', text, 'cron,incremental'),
    store: option('--store <url>', 'MySQL database (dropped and created before each run)', text, 'mysql://root@127.0.0.1:3306/osqsim_soak'),
  },
  async run(values, log) {
    const durationMs = parseDurationMs(values.duration);
    const verdicts: SoakVerdict[] = [];
    for (const strategy of values.strategies.split(',').map((s) => s.trim()).filter(Boolean)) {
      await freshDatabase(values.store);
      const dir = mkdtempSync(join(tmpdir(), 'osqsim-soak-'));
      const file = join(dir, `soak-${strategy}.yaml`);
      writeFileSync(file, soakScenario(values.hosts, durationMs, strategy));
      const before = await deadlocks(values.store);
      const started = Date.now();
      const simulatorRss: Array<{ t: number; rss_mb: number }> = [];
      const sampler = setInterval(() => simulatorRss.push({ t: (Date.now() - started) / 1000, rss_mb: process.memoryUsage().rss / 1e6 }), 1000);
      const lines: string[] = [];
      let code: number;
      try {
        code = await runCommand(file, { store: values.store, out: dir, quiet: true }, (t) => lines.push(t), (t) => log(t.trimEnd()));
      } finally {
        clearInterval(sampler);
      }
      const resultFile = /result: (\S+result\.json)/.exec(lines.join(''))?.[1];
      if (resultFile === undefined || (code !== EXIT.OK && code !== EXIT.THRESHOLDS_FAILED)) throw new Error(`osqsim run failed (exit ${code}): ${lines.join('')}`);
      const doc = JSON.parse(readFileSync(resultFile, 'utf8')) as ResultDocument;
      // The run's t = 0 is when the simulator's workers are ready, a little after `started`: shift this process's samples onto it.
      const shift = Math.max(0, (Date.parse(doc.run.started_at) - started) / 1000);
      const verdict = soakVerdict({ strategy, doc, deadlocks: (await deadlocks(values.store)) - before, simulatorRss: simulatorRss.map((s) => ({ t: s.t - shift, rss_mb: s.rss_mb })), durationS: durationMs / 1000, warmupS: (durationMs * 0.2) / 1000 });
      if (verdict.deadlocks > 0) {
        const statements = await latestDeadlockIn(values.store);
        if (statements !== undefined) verdict.deadlock_statements = statements;
      }
      log(`${strategy}: ${verdict.failures.length === 0 ? 'ok' : verdict.failures.join('; ')}${verdict.deadlock_statements ? ` (latest deadlock, in this run's database: ${verdict.deadlock_statements.join(' ⟷ ')})` : ''}`);
      verdicts.push(verdict);
    }
    return { params: { hosts: values.hosts, duration: values.duration, strategies: values.strategies }, results: { runs: verdicts, ok: verdicts.every((v) => v.failures.length === 0) }, machine: await mysqlFacts(values.store).catch(() => ({})) };
  },
  format(doc) {
    const pct = (value: number | null): string => (value === null ? '–' : `${(value * 100).toFixed(1)}%`);
    return [
      `soak: ${doc.params.hosts} hosts for ${doc.params.duration} on MySQL per strategy`,
      '| strategy | errors outside restart | counts error | deadlocks | server RSS growth | simulator RSS growth | server loop p99 base → end | verdict |',
      '|---|---:|---:|---:|---:|---:|---|---|',
      ...doc.results.runs.map((r) => `| ${r.strategy} | ${pct(r.errors_outside_restart)} | ${r.counts_error_max ?? '–'} | ${r.deadlocks} | ${pct(r.server_rss_growth)} | ${pct(r.simulator_rss_growth)} | ${r.server_event_loop_p99_baseline_ms ?? '–'} → ${r.server_event_loop_p99_end_ms ?? '–'} ms | ${r.failures.length ? r.failures.join('; ') : 'ok'} |`),
    ].join('\n');
  },
  exitCode: (doc) => (doc.results.ok ? EXIT.OK : EXIT.THRESHOLDS_FAILED),
});

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) await soakBench.main();
