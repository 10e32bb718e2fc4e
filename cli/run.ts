/**
 * `osqsim run [FILE]`: run a scenario end to end (default scenarios/quickstart.yaml) and write
 * runs/<UTC timestamp>-<name>/{result.json, summary.md, report.html}.
 * Exit codes: 0 ok, 1 error, 2 invalid scenario or flags, 3 thresholds failed.
 */
import { parseCount } from '../lib/units.js';
import type { Command } from 'commander';
import { reportError } from '../lib/cli-usage.js';
import { EXIT, type ExitCode } from '../lib/exit-codes.js';
import { fmtMs, fmtPct, headline } from '../reports/headline.js';
import { readScenario, scenarioInvalid } from '../scenarios/read.js';
import { runScenario } from '../scenarios/runner.js';
import { parseConnectionMode, type ConnectionMode } from '../simulator/transport/transport.js';
import { formatThresholdValue } from '../reports/metrics.js';

export interface RunFlags {
  store?: string;
  out?: string;
  hosts?: string;
  /** Divide the scenario's times by this factor (scenarios/time-scale.ts). */
  timeScale?: string;
  duration?: string;
  warmup?: string;
  strategy?: string;
  seed?: string;
  workers?: string;
  connections?: string;
  quiet?: boolean;
  serverLog?: boolean;
  tls?: boolean;
}

type Print = (text: string) => void;

export async function runCommand(fileArg: string | undefined, flags: RunFlags, out: Print = (t) => process.stdout.write(t), err: Print = (t) => process.stderr.write(t)): Promise<ExitCode> {
  const name = fileArg ?? 'quickstart';
  const overrides = { timeScale: flags.timeScale, hosts: flags.hosts, duration: flags.duration, warmup: flags.warmup, seed: flags.seed, store: flags.store, strategy: flags.strategy, ...(flags.tls === true ? { tls: true } : {}) };
  const loaded = readScenario(name, { overrides });
  const file = loaded.file;
  const overrideProblems: string[] = [];
  const count = (option: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    try {
      return parseCount(option, text, 1);
    } catch (error) {
      overrideProblems.push((error as Error).message);
      return undefined;
    }
  };
  const workers = count('--workers', flags.workers);
  let connections: ConnectionMode | undefined;
  if (flags.connections !== undefined) {
    connections = parseConnectionMode(flags.connections);
    if (connections === undefined) overrideProblems.push(`--connections must be elastic or a whole number ≥ 1, got ${JSON.stringify(flags.connections)}`);
  }
  if (!loaded.ok || overrideProblems.length) {
    const issues = loaded.ok ? [] : loaded.issues;
    return reportError('osqsim run', scenarioInvalid(file, [...overrideProblems.map((message) => ({ path: '', message })), ...issues]), err);
  }
  const scenario = loaded.scenario;
  for (const note of loaded.notes) err(`osqsim run: ${note}\n`);
  const log = flags.quiet ? undefined : (line: string) => out(`${line}\n`);
  log?.(`osqsim run ${scenario.name}: ${scenario.hosts} hosts for ${scenario.duration / 1000}s (warm-up ${scenario.warmup / 1000}s) — ${file}`);
  try {
    const outcome = await runScenario({
      scenario,
      scenarioFile: file,
      ...(flags.out ? { outDir: flags.out } : {}),
      ...(workers ? { workers } : {}),
      ...(connections !== undefined ? { connections } : {}),
      ...(log ? { log } : {}),
      ...(flags.serverLog ? { serverLog: (line: string) => err(`[server] ${line}\n`) } : {}),
    });
    for (const run of outcome.runs) {
      const h = headline(run.doc);
      const read = h.endpoints.find((e) => e.endpoint === 'read');
      const write = h.endpoints.find((e) => e.endpoint === 'write');
      out(`\n${outcome.runs.length > 1 ? `[${run.strategy}] ` : ''}${h.total.count.toLocaleString('en-US')} requests, errors ${fmtPct(h.total.error_rate)}, read p99 ${read ? fmtMs(read.p99) : '–'}, write p99 ${write ? fmtMs(write.p99) : '–'}${h.counts.error_max !== null ? `, counts max error ${h.counts.error_max} / staleness ${h.counts.staleness_max_s!.toFixed(1)}s` : ''}\n`);
      for (const t of run.doc.thresholds) out(`  ${t.ok ? 'pass' : 'FAIL'}  ${t.expr}  (${t.no_data ? 'no data: fails by rule, see docs/scenarios.md' : formatThresholdValue(t.expr, t.value)})\n`);
      if (h.saturation.side !== 'none') out(`  WARNING: saturated side: ${h.saturation.side}: ${h.saturation.reasons.join('; ')}\n`);
      out(`report: ${run.files.html}\nsummary: ${run.files.summary}\nresult: ${run.files.result}\n`);
    }
    if (outcome.comparison) out(`\n${outcome.comparison}\n`);
    if (outcome.exitCode === EXIT.THRESHOLDS_FAILED) err('osqsim run: thresholds failed (exit 3)\n');
    return outcome.exitCode;
  } catch (error) {
    return reportError('osqsim run', error, err);
  }
}

export function register(program: Command): void {
  program
    .command('run')
    .description('Run a scenario end to end: start the server, drive the simulated fleet, apply the timeline, write a report (exit 0 ok, 1 error, 2 invalid input, 3 thresholds failed)')
    .argument('[scenario]', 'scenario file or built-in name', 'quickstart')
    .option('--store <spec>', 'override the scenario\'s store: memory or mysql://user:pass@host:port/db')
    .option('--strategy <names>', 'override the count strategy (cron, realtime, incremental; comma list runs each)')
    .option('--hosts <n>', 'override the number of hosts')
    .option('--time-scale <k>', 'run the scenario k times faster: its duration, warm-up, intervals and timeline divided by k (osquery\'s retry and timeout constants are not)')
    .option('--duration <d>', 'override the duration (e.g. 90s)')
    .option('--warmup <d>', 'override the warm-up')
    .option('--seed <n>', 'override the seed')
    .option('--workers <n>', 'simulator worker threads')
    .option('--connections <n|elastic>', 'elastic (a keep-alive connection per request in flight, as real agents; default) or a fixed pool of n per worker (overrides the scenario\'s simulator.connections)')
    .option('--tls', 'the server serves HTTPS with a self-signed CA the simulator trusts (overrides server.tls)')
    .option('--out <dir>', 'parent folder of the run folder', 'runs')
    .option('--quiet', 'print only the outcome')
    .option('--server-log', 'copy the server\'s output to stderr')
    .action(async (file: string, flags: RunFlags) => {
      const code = await runCommand(file, flags);
      process.exitCode = code;
      // Worker threads and sockets are closed; do not let a stray handle keep the shell waiting.
      setTimeout(() => process.exit(code), 3000).unref();
    });
}
