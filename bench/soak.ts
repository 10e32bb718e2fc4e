/**
 * bench/soak.ts — a long run on MySQL that must leave nothing behind (issue 16 item 5): N hosts (default
 * 20,000) for a duration (default 1 h) through `osqsim run`, once per count strategy (cron, incremental),
 * with a timeline of policy edits, a refetch and a server restart. Checked, per strategy:
 *   - errors: 0 outside the restart and its recovery grace (`errors.outside_faults.rate`, reports/fault-windows.ts;
 *     during the restart every agent request fails by design) and the counts exact at the end;
 *   - InnoDB deadlocks in the run's database: 0. `Innodb_deadlocks` is global (other databases on a shared
 *     server count too), so the counter is polled every 2 s and each time it moves, SHOW ENGINE INNODB
 *     STATUS's latest deadlock says whose it was: `deadlocks` counts the ones in this database,
 *     `deadlocks_elsewhere` the rest (a deadlock of ours hidden behind a later one elsewhere within the
 *     same 2 s would be counted there: `deadlocks_unattributed` says how many moves could not be seen);
 *   - memory growth < 10% after warm-up, server and simulator, between the first and the last third of
 *     the measured window (after the warm-up, the first 35%: SOAK_WARMUP_FRACTION), medians of each: of the heap in use after
 *     each major GC (bench/soak-heap-probe.cjs preloaded into the server; the same observer here for the
 *     simulator's main thread), and of resident memory (RSS). V8's heap grows until a major GC and then
 *     gives pages back, so RSS is a sawtooth whose period is tens of seconds to minutes (≈ 100 s for the
 *     server at 300 hosts): RSS growth fails a run only when a third lasts ≥ 5 min (RSS_GATED_WINDOW_S);
 *     in shorter runs it is a note and the heap after GC decides (`--heap-gc 15s` forces a full GC that
 *     often so every window has samples). The restart is at 5%, so the server compared is one process,
 *     up for 15% of the run when the measured window starts;
 *   - event-loop delay p99 flat: the server's median sample p99 in the last third ≤ 1.5 × the one in the
 *     first third + 5 ms (a few ms of noise on a shared machine is not a trend).
 * The simulator runs in this process (osqsim run's workers are threads), so its memory is this
 * process's RSS, sampled every second. Each run's result.json, summary.md and report.html stay in
 * `--out` (default runs/), with soak-<strategy>.svg (the chart: RSS of both, event-loop p99, the windows
 * compared) and soak-<strategy>.json (the verdict and the simulator's samples) beside them.
 *
 *   npx tsx bench/soak.ts [--hosts 20000] [--duration 1h] [--strategies cron,incremental] [--heap-gc 0] [--store mysql://root@127.0.0.1:3306/osqsim_soak] [--out runs] [--progress] [--json > soak.json]
 *
 * The CI variant is test/bench/soak.test.ts (300 hosts for 3 minutes, cron).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import mysql from 'mysql2/promise';
import { runCommand } from '../cli/run.js';
import type { ResultDocument, ServerSample } from '../contract/result.js';
import { EXIT } from '../lib/exit-codes.js';
import { scenariosDir } from '../scenarios/builtin.js';
import { formatDurationMs, parseDurationMs } from '../lib/units.js';
import { mysqlConnectionOptions } from '../server/store/mysql/connection.js';
import { freshDatabase } from './fresh-database.js';
import { defineBench, mysqlFacts, option, positiveInt, text, toggle } from './harness.js';
import { soakChartSvg } from './soak-chart.js';

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
  /** InnoDB deadlocks in the run's database (see the module comment). */
  deadlocks: number;
  /** Deadlocks in other databases of the same MySQL server during the run (not failures: not ours). */
  deadlocks_elsewhere?: number;
  /** Moves of the global counter whose deadlock could not be seen (a later one replaced it within a poll). */
  deadlocks_unattributed?: number;
  /** The statements of the latest deadlock in the run's database. */
  deadlock_statements?: string[];
  /** [from, to) seconds of the memory baseline (first third after the warm-up) and end (last third) windows. */
  memory_windows_s: { baseline: [number, number]; end: [number, number] };
  server_rss_baseline_mb: number | null;
  server_rss_end_mb: number | null;
  server_rss_growth: number | null;
  simulator_rss_baseline_mb: number | null;
  simulator_rss_end_mb: number | null;
  simulator_rss_growth: number | null;
  /** Whether RSS growth could fail the run (thirds ≥ RSS_GATED_WINDOW_S). */
  rss_gated: boolean;
  /** Medians of the heap in use after major GCs in the two windows (soak-heap-probe.cjs); null without samples. */
  server_heap_baseline_mb: number | null;
  server_heap_end_mb: number | null;
  server_heap_growth: number | null;
  simulator_heap_baseline_mb: number | null;
  simulator_heap_end_mb: number | null;
  simulator_heap_growth: number | null;
  server_event_loop_p99_baseline_ms: number | null;
  server_event_loop_p99_end_ms: number | null;
  /** Where the run's result.json, report.html and the soak chart are (bench runs; absent in pure checks). */
  report_dir?: string;
  chart?: string;
  /** os.loadavg() (1, 5, 15 min) at the start, the middle and the end of the run: the machine is shared. */
  load_average?: { start: number[]; middle: number[] | null; end: number[] };
  failures: string[];
  /** What was measured and is not a failure (RSS growth in windows too short to judge it). */
  notes: string[];
}

/** The windows the memory and event-loop checks compare: the first and the last third of the measured window. */
export function soakWindows(durationS: number, warmupS: number): { baseline: [number, number]; end: [number, number] } {
  const third = (durationS - warmupS) / 3;
  return { baseline: [warmupS, warmupS + third], end: [durationS - third, durationS + 1] };
}

/** The checks on one run (pure): see the module comment. `durationS`/`warmupS` of the run. */
export function soakVerdict(input: {
  strategy: string;
  doc: ResultDocument;
  deadlocks: number;
  simulatorRss: ReadonlyArray<{ t: number; rss_mb: number }>;
  /** The heap in use after each major GC (bench/soak-heap-probe.cjs in the server; the same observer here for the simulator's main thread). */
  serverHeap?: ReadonlyArray<{ t: number; heap_mb: number }>;
  simulatorHeap?: ReadonlyArray<{ t: number; heap_mb: number }>;
  durationS: number;
  warmupS: number;
  /** RSS growth is a failure only when a third is at least this long (default RSS_GATED_WINDOW_S). */
  rssGatedWindowS?: number;
}): SoakVerdict {
  const { doc, durationS, warmupS } = input;
  const { baseline, end } = soakWindows(durationS, warmupS);
  const server: readonly ServerSample[] = doc.server?.samples ?? [];
  const levels = <S extends { t: number }>(samples: readonly S[], value: (s: S) => number): [number | null, number | null] => {
    const first = within(samples, ...baseline).map(value);
    const last = within(samples, ...end).map(value);
    return [first.length ? median(first) : null, last.length ? median(last) : null];
  };
  const growth = ([first, last]: [number | null, number | null]): number | null => (first !== null && last !== null && first > 0 ? last / first - 1 : null);
  const serverRss = levels(server, (s) => s.rss_mb);
  const simulatorRss = levels(input.simulatorRss, (s) => s.rss_mb);
  const serverHeap = levels(input.serverHeap ?? [], (s) => s.heap_mb);
  const simulatorHeap = levels(input.simulatorHeap ?? [], (s) => s.heap_mb);
  const rssGated = baseline[1] - baseline[0] >= (input.rssGatedWindowS ?? RSS_GATED_WINDOW_S);
  const loopBase = within(server, ...baseline).map((s) => s.event_loop_p99_ms);
  const loopEnd = within(server, ...end).map((s) => s.event_loop_p99_ms);
  const threshold = (expr: string): number | null => doc.thresholds.find((t) => t.expr === expr)?.value ?? null;
  const verdict: SoakVerdict = {
    strategy: input.strategy,
    errors_outside_restart: threshold('errors.outside_faults.rate == 0'),
    counts_error_max: threshold('counts.error.max == 0'),
    deadlocks: input.deadlocks,
    memory_windows_s: { baseline: [round1(baseline[0]), round1(baseline[1])], end: [round1(end[0]), round1(durationS)] },
    server_rss_baseline_mb: serverRss[0],
    server_rss_end_mb: serverRss[1],
    server_rss_growth: growth(serverRss),
    simulator_rss_baseline_mb: simulatorRss[0],
    simulator_rss_end_mb: simulatorRss[1],
    simulator_rss_growth: growth(simulatorRss),
    rss_gated: rssGated,
    server_heap_baseline_mb: serverHeap[0],
    server_heap_end_mb: serverHeap[1],
    server_heap_growth: growth(serverHeap),
    simulator_heap_baseline_mb: simulatorHeap[0],
    simulator_heap_end_mb: simulatorHeap[1],
    simulator_heap_growth: growth(simulatorHeap),
    server_event_loop_p99_baseline_ms: loopBase.length ? median(loopBase) : null,
    server_event_loop_p99_end_ms: loopEnd.length ? median(loopEnd) : null,
    failures: [],
    notes: [],
  };
  const f = verdict.failures;
  if (verdict.errors_outside_restart !== 0) f.push(`errors outside the restart: ${verdict.errors_outside_restart ?? 'no data'}`);
  if (verdict.counts_error_max !== 0) f.push(`counts off by ${verdict.counts_error_max ?? 'no data'} at the end`);
  if (verdict.deadlocks !== 0) f.push(`${verdict.deadlocks} InnoDB deadlocks`);
  for (const [who, rss, heap, probed] of [
    ['server', verdict.server_rss_growth, verdict.server_heap_growth, input.serverHeap !== undefined],
    ['simulator', verdict.simulator_rss_growth, verdict.simulator_heap_growth, input.simulatorHeap !== undefined],
  ] as const) {
    if (heap !== null && heap >= 0.1) f.push(`${who} heap after GC grew ${(heap * 100).toFixed(1)}% after warm-up`);
    if (rssGated) {
      if (rss === null) f.push(`${who} RSS: no samples`);
      else if (rss >= 0.1) f.push(`${who} RSS grew ${(rss * 100).toFixed(1)}% after warm-up`);
    } else {
      // Windows shorter than a few GC periods compare GC phases: RSS is reported, the heap after GC decides.
      if (heap === null) f.push(`${who} memory: windows under ${RSS_GATED_WINDOW_S / 60} min and no heap-after-GC samples${probed ? ' in both' : ' (no probe)'}`);
      if (rss !== null && rss >= 0.1) verdict.notes.push(`${who} RSS grew ${(rss * 100).toFixed(1)}% (not a failure: windows under ${RSS_GATED_WINDOW_S / 60} min, heap after GC ${heap === null ? '–' : `${(heap * 100).toFixed(1)}%`})`);
    }
  }
  const { server_event_loop_p99_baseline_ms: base, server_event_loop_p99_end_ms: last } = verdict;
  if (base === null || last === null) f.push('server event-loop delay: no samples');
  else if (last > base * 1.5 + 5) f.push(`server event-loop p99 rose from ${base} ms to ${last} ms`);
  return verdict;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/**
 * RSS growth fails a run only when the compared windows (thirds of the measured window) last at least
 * this long (3 periods of V8's GC sawtooth at 300 hosts, ≈ 100 s): shorter windows compare its phases, and the
 * heap after a major GC decides instead.
 */
export const RSS_GATED_WINDOW_S = 300;

/**
 * The warm-up, as a fraction of the run: the restart (at 5%) plus the longest agent interval (details,
 * 25%) plus a margin; the first event of each kind falls inside it too (soakScenario). Only then has every host refreshed its details and run its policies against the
 * restarted server, whose state has stopped growing: with a 20% warm-up the 3-minute variant's
 * baseline caught the server still filling after its restart (heap after GC 25 → 30 MB by t = 81 s,
 * flat at 30 MB from there to the end) and failed on +10.9%.
 */
export const SOAK_WARMUP_FRACTION = 0.35;

/**
 * The soak scenario. Inside the warm-up: the restart, then one event of every kind the measured
 * window holds (an edit, a refetch, a new policy), because the first of each steps the restarted
 * server's heap once and then never again (a quiet 3-minute run, 18:50 UTC: +2.6 MB at the first edit,
 * +3 MB at the first refetch, flat after; with the first refetch inside the baseline window that run
 * failed on +12.4%). After it: a refetch, an edit of every policy and new policies, again.
 */
export function soakScenario(hosts: number, durationMs: number, strategy: string): string {
  const at = (fraction: number): string => `${Math.round(durationMs * fraction)}ms`;
  return `name: soak-${strategy}
description: soak, ${hosts} hosts for ${formatDurationMs(durationMs)} on MySQL (${strategy})
seed: 21
hosts: ${hosts}
duration: ${durationMs}ms
warmup: ${at(SOAK_WARMUP_FRACTION)}
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
  - at: ${at(0.05)}
    restart_server: { down_for: 2s }
  - at: ${at(0.15)}
    edit_policies: { count: 3 }
  - at: ${at(0.2)}
    refetch_hosts: { percent: 20 }
  - at: ${at(0.25)}
    add_policies: { count: 1 }
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

const HEAP_PROBE = fileURLToPath(new URL('./soak-heap-probe.cjs', import.meta.url));

function readHeapFile(file: string): Array<{ at: number; pid: number; heap_mb: number }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { at: number; pid: number; heap_mb: number });
}

/** This process's heap after each major GC (as soak-heap-probe.cjs does in the server); `forceEveryMs` > 0 also forces one that often. Returns stop. */
function observeHeapAfterGc(onSample: (sample: { at: number; heap_mb: number }) => void, forceEveryMs: number): () => void {
  const observer = new PerformanceObserver((list) => {
    if (!list.getEntries().some((entry) => ((entry as unknown as { detail?: { kind?: number } }).detail)?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR)) return;
    onSample({ at: Date.now(), heap_mb: Math.round(getHeapStatistics().used_heap_size / 1e5) / 10 });
  });
  observer.observe({ entryTypes: ['gc'] });
  let timer: NodeJS.Timeout | undefined;
  if (forceEveryMs > 0) {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    timer = setInterval(() => gc(), forceEveryMs);
  }
  return () => {
    observer.disconnect();
    if (timer) clearInterval(timer);
  };
}

async function deadlockCounter(connection: mysql.Connection): Promise<number> {
  const [rows] = await connection.query("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'");
  return Number((rows as Array<{ Value: string }>)[0]?.Value ?? 0);
}

/** InnoDB's latest detected deadlock: its text (the identity: it starts with its time and thread) and whether it was in `database`. */
async function latestDeadlock(connection: mysql.Connection, database: string): Promise<{ text: string; ours: boolean; statements: string[] } | undefined> {
  const [rows] = await connection.query('SHOW ENGINE INNODB STATUS');
  const status = String((rows as Array<{ Status: string }>)[0]?.Status ?? '');
  const text = /LATEST DETECTED DEADLOCK\n-+\n([\s\S]*?)\n-+\nTRANSACTIONS/.exec(status)?.[1];
  if (text === undefined) return undefined;
  const statements = text.split('\n').filter((line) => /^(DELETE|UPDATE|INSERT|SELECT|REPLACE)\b/i.test(line.trim())).map((line) => line.trim());
  return { text, ours: text.includes(`\`${database}\``), statements };
}

export interface DeadlockTally {
  ours: number;
  elsewhere: number;
  unattributed: number;
  statements?: string[];
}

/**
 * Watches InnoDB deadlocks during a run and tells the run's own from other databases' (see the module
 * comment): polls the global counter every `everyMs`; when it moved, the latest deadlock, if new, is
 * counted as ours or elsewhere, and the other moves of that poll as unattributed.
 */
export async function watchDeadlocks(store: string, everyMs = 2000): Promise<{ stop(): Promise<DeadlockTally> }> {
  const { connection: options, database } = mysqlConnectionOptions(store);
  const connection = await mysql.createConnection(options);
  const tally: DeadlockTally = { ours: 0, elsewhere: 0, unattributed: 0 };
  let counter = await deadlockCounter(connection);
  let seen = (await latestDeadlock(connection, database))?.text;
  const poll = async (): Promise<void> => {
    const now = await deadlockCounter(connection);
    if (now === counter) return;
    const moved = now - counter;
    counter = now;
    const latest = await latestDeadlock(connection, database);
    if (latest === undefined || latest.text === seen) {
      tally.unattributed += moved;
      return;
    }
    seen = latest.text;
    if (latest.ours) {
      tally.ours += 1;
      tally.statements = latest.statements;
    } else tally.elsewhere += 1;
    tally.unattributed += moved - 1;
  };
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(poll).catch(() => undefined);
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await poll().catch(() => undefined);
      await connection.end();
      return tally;
    },
  };
}


export const soakBench = defineBench({
  name: 'soak',
  description: 'Long run on MySQL: 0 errors outside a restart, 0 deadlocks, flat memory and event-loop delay (cron and incremental)',
  params: {
    hosts: option('--hosts <n>', 'simulated hosts', positiveInt, '20000'),
    duration: option('--duration <d>', 'run length per strategy (e.g. 1h, 60s)', text, '1h'),
    strategies: option('--strategies <list>', 'count strategies, one run each', text, 'cron,incremental'),
    store: option('--store <url>', 'MySQL database (dropped and created before each run)', text, 'mysql://root@127.0.0.1:3306/osqsim_soak'),
    heapGc: option('--heap-gc <d>', 'also force a full GC this often in the server and the simulator so short runs have heap-after-GC samples in every window (0: only observe their own major GCs)', text, '0'),
    progress: toggle('--progress', "print osqsim run's progress lines (every 10 s) on stderr"),
    out: option('--out <dir>', "where each strategy's run (result.json, summary.md, report.html) and the soak chart soak-<strategy>.svg are written", text, 'runs'),
  },
  async run(values, log) {
    const durationMs = parseDurationMs(values.duration);
    const heapGcMs = values.heapGc === '0' ? 0 : parseDurationMs(values.heapGc);
    const verdicts: SoakVerdict[] = [];
    for (const strategy of values.strategies.split(',').map((s) => s.trim()).filter(Boolean)) {
      await freshDatabase(values.store);
      const dir = resolve(values.out);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `soak-${strategy}.yaml`);
      writeFileSync(file, soakScenario(values.hosts, durationMs, strategy));
      const watcher = await watchDeadlocks(values.store);
      // The heap after each major GC: the server through the preloaded probe (its env is inherited by the
      // process osqsim run spawns), the simulator's main thread through the same observer here.
      const heapFile = join(dir, `.soak-${strategy}-${process.pid}-server-heap.jsonl`);
      rmSync(heapFile, { force: true });
      const savedEnv = { NODE_OPTIONS: process.env.NODE_OPTIONS, OSQSIM_SOAK_HEAP_FILE: process.env.OSQSIM_SOAK_HEAP_FILE, OSQSIM_SOAK_HEAP_GC_MS: process.env.OSQSIM_SOAK_HEAP_GC_MS };
      process.env.NODE_OPTIONS = `${savedEnv.NODE_OPTIONS ?? ''} --require ${JSON.stringify(HEAP_PROBE)}`.trim();
      process.env.OSQSIM_SOAK_HEAP_FILE = heapFile;
      process.env.OSQSIM_SOAK_HEAP_GC_MS = String(heapGcMs);
      const simulatorHeapAt: Array<{ at: number; heap_mb: number }> = [];
      const stopSimulatorProbe = observeHeapAfterGc((sample) => simulatorHeapAt.push(sample), heapGcMs);
      const started = Date.now();
      const simulatorRss: Array<{ t: number; rss_mb: number }> = [];
      const sampler = setInterval(() => simulatorRss.push({ t: (Date.now() - started) / 1000, rss_mb: process.memoryUsage().rss / 1e6 }), 1000);
      // The machine is shared: its load average at the start, the middle and the end of the run goes in the verdict.
      const load: { start: number[]; middle?: number[]; end?: number[] } = { start: loadavg() };
      const middle = setTimeout(() => (load.middle = loadavg()), durationMs / 2);
      const lines: string[] = [];
      let code: number;
      let tally: DeadlockTally;
      try {
        code = await runCommand(file, { store: values.store, out: dir, quiet: !values.progress }, (t) => lines.push(t), (t) => log(t.trimEnd()));
      } finally {
        stopSimulatorProbe();
        for (const [key, value] of Object.entries(savedEnv)) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
        clearInterval(sampler);
        clearTimeout(middle);
        load.end = loadavg();
        tally = await watcher.stop();
      }
      const resultFile = /result: (\S+result\.json)/.exec(lines.join(''))?.[1];
      if (resultFile === undefined || (code !== EXIT.OK && code !== EXIT.THRESHOLDS_FAILED)) throw new Error(`osqsim run failed (exit ${code}): ${lines.join('')}`);
      const doc = JSON.parse(readFileSync(resultFile, 'utf8')) as ResultDocument;
      // The run's t = 0 is when the simulator's workers are ready, a little after `started`: shift this process's samples onto it.
      const shift = Math.max(0, (Date.parse(doc.run.started_at) - started) / 1000);
      const simulator = simulatorRss.map((s) => ({ t: round1(s.t - shift), rss_mb: round1(s.rss_mb) }));
      const durationS = durationMs / 1000;
      const warmupS = (durationMs * SOAK_WARMUP_FRACTION) / 1000;
      const runT0 = Date.parse(doc.run.started_at);
      const serverHeap = readHeapFile(heapFile).map((h) => ({ t: round1((h.at - runT0) / 1000), heap_mb: h.heap_mb }));
      rmSync(heapFile, { force: true });
      const simulatorHeap = simulatorHeapAt.map((h) => ({ t: round1((h.at - runT0) / 1000), heap_mb: h.heap_mb }));
      const verdict = soakVerdict({ strategy, doc, deadlocks: tally.ours, simulatorRss: simulator, serverHeap, simulatorHeap, durationS, warmupS });
      verdict.deadlocks_elsewhere = tally.elsewhere;
      verdict.deadlocks_unattributed = tally.unattributed;
      if (tally.statements !== undefined) verdict.deadlock_statements = tally.statements;
      verdict.load_average = { start: load.start, middle: load.middle ?? null, end: load.end };
      const reportDir = dirname(resultFile);
      verdict.report_dir = reportDir;
      verdict.chart = join(reportDir, `soak-${strategy}.svg`);
      writeFileSync(
        verdict.chart,
        soakChartSvg({
          title: `soak: ${values.hosts} hosts for ${values.duration} on MySQL, ${strategy} — ${verdict.failures.length === 0 ? 'every check passed' : verdict.failures.join('; ')}`,
          durationS,
          warmupS,
          baseline: verdict.memory_windows_s.baseline,
          end: verdict.memory_windows_s.end,
          server: doc.server?.samples ?? [],
          simulator,
          serverHeap,
          simulatorHeap,
          events: (doc.timeline ?? []).map((e) => ({ t: e.t, kind: e.kind })),
        }),
      );
      writeFileSync(join(reportDir, `soak-${strategy}.json`), `${JSON.stringify({ verdict, simulator_samples: simulator, server_heap_after_gc: serverHeap, simulator_heap_after_gc: simulatorHeap }, null, 1)}\n`);
      log(`${strategy}: ${verdict.failures.length === 0 ? 'ok' : verdict.failures.join('; ')}${verdict.deadlock_statements ? ` (latest deadlock in this run's database: ${verdict.deadlock_statements.join(' ⟷ ')})` : ''} · report ${reportDir}`);
      verdicts.push(verdict);
    }
    return { params: { hosts: values.hosts, duration: values.duration, strategies: values.strategies }, results: { runs: verdicts, ok: verdicts.every((v) => v.failures.length === 0) }, machine: await mysqlFacts(values.store).catch(() => ({})) };
  },
  format(doc) {
    const pct = (value: number | null): string => (value === null ? '–' : `${(value * 100).toFixed(1)}%`);
    const mb = (value: number | null | undefined): string => (value === null || value === undefined ? '–' : value.toFixed(0));
    return [
      `soak: ${doc.params.hosts} hosts for ${doc.params.duration} on MySQL per strategy`,
      '| strategy | errors outside restart | counts error | deadlocks (elsewhere) | server RSS base → end | server heap after GC | simulator RSS base → end | simulator heap after GC | server loop p99 base → end | load avg start / mid / end | verdict |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|',
      ...doc.results.runs.map((r) => `| ${r.strategy} | ${pct(r.errors_outside_restart)} | ${r.counts_error_max ?? '–'} | ${r.deadlocks} (${r.deadlocks_elsewhere ?? '–'}) | ${mb(r.server_rss_baseline_mb)} → ${mb(r.server_rss_end_mb)} MB (${pct(r.server_rss_growth)}) | ${mb(r.server_heap_baseline_mb)} → ${mb(r.server_heap_end_mb)} MB (${pct(r.server_heap_growth)}) | ${mb(r.simulator_rss_baseline_mb)} → ${mb(r.simulator_rss_end_mb)} MB (${pct(r.simulator_rss_growth)}) | ${mb(r.simulator_heap_baseline_mb)} → ${mb(r.simulator_heap_end_mb)} MB (${pct(r.simulator_heap_growth)}) | ${r.server_event_loop_p99_baseline_ms ?? '–'} → ${r.server_event_loop_p99_end_ms ?? '–'} ms | ${r.load_average ? [r.load_average.start, r.load_average.middle, r.load_average.end].map((l) => (l ? l[0]!.toFixed(1) : '–')).join(' / ') : '–'} | ${r.failures.length ? r.failures.join('; ') : 'ok'}${r.notes?.length ? ` (${r.notes.join('; ')})` : ''} |`),
    ].join('\n');
  },
  exitCode: (doc) => (doc.results.ok ? EXIT.OK : EXIT.THRESHOLDS_FAILED),
});

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) await soakBench.main();
