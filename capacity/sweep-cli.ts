/** `osqsim capacity sweep` — from flags to the sweep runner (capacity-sweep.ts), the sweep file and the report. */
import { writeFileSync } from 'node:fs';
import { EXIT, type ExitCode } from '../lib/exit-codes.js';
import { osqsimError } from '../lib/errors.js';
import { parseDurationMs } from '../lib/units.js';
import { resolveScenarioPath } from '../scenarios/builtin.js';
import { writeCapacityReport } from './html.js';
import { parseUntil, runSweep, sweepHostCounts, type SweepOptions } from './sweep.js';

/** Without --until a sweep stops where check-ins degrade (Fleet: "APIs that take longer than 500 ms cause UX issues"). */
export const DEFAULT_UNTIL: readonly string[] = ['read.p99 > 500ms', 'errors.rate > 1%'];

export type SweepFlags = Record<string, string | boolean | string[] | undefined>;

function text(flags: SweepFlags, key: string): string | undefined {
  const value = flags[key];
  return typeof value === 'string' ? value : undefined;
}

function count(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const cleaned = value.replace(/[_,]/g, '').toLowerCase();
  const match = /^(\d+(?:\.\d+)?)(k?)$/.exec(cleaned);
  const parsed = match ? Math.round(Number(match[1]) * (match[2] === 'k' ? 1000 : 1)) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < 1) throw osqsimError('CLI_INVALID_OPTION', { option, reason: `expected a whole number ≥ 1 (got "${value}")` });
  return parsed;
}

/** Flags → sweep options; every check that needs no I/O, so bad input exits 2 before anything starts. */
export function sweepOptionsFromFlags(scenario: string, flags: SweepFlags): SweepOptions & { out: string; reportDir: string; json: boolean } {
  const until = Array.isArray(flags.until) ? flags.until : typeof flags.until === 'string' ? [flags.until] : [...DEFAULT_UNTIL];
  const options = {
    scenarioFile: resolveScenarioPath(scenario),
    from: count('--from', text(flags, 'from'), 1000),
    to: count('--to', text(flags, 'to'), 200_000),
    steps: count('--steps', text(flags, 'steps'), 6),
    until,
    warmupMs: parseDurationMs(text(flags, 'warmup') ?? '20s'),
    measureMs: parseDurationMs(text(flags, 'measure') ?? '30s'),
    ...(text(flags, 'store') !== undefined ? { store: text(flags, 'store')! } : {}),
    ...(text(flags, 'workers') !== undefined ? { workers: count('--workers', text(flags, 'workers'), 1) } : {}),
    ...(text(flags, 'statsInterval') !== undefined ? { statsIntervalMs: parseDurationMs(text(flags, 'statsInterval')!) } : {}),
    ...(flags.cpuProbe === false ? { cpuProbe: false as const } : {}),
    out: text(flags, 'out') ?? 'sweep.json',
    reportDir: text(flags, 'reportDir') ?? 'runs',
    json: flags.json === true,
  };
  if (options.measureMs < 1000) throw osqsimError('CLI_INVALID_OPTION', { option: '--measure', reason: 'at least 1s' });
  sweepHostCounts(options.from, options.to, options.steps);
  parseUntil(options.until);
  return options;
}

export async function runSweepCommand(scenario: string, flags: SweepFlags): Promise<ExitCode> {
  const options = sweepOptionsFromFlags(scenario, flags);
  const sweep = await runSweep({ ...options, onProgress: (line) => process.stderr.write(`${line}\n`) });
  writeFileSync(options.out, `${JSON.stringify(sweep, null, 2)}\n`);
  const report = writeCapacityReport(sweep, options.reportDir);
  if (options.json) process.stdout.write(`${JSON.stringify(sweep)}\n`);
  else {
    process.stdout.write(
      `sweep: ${sweep.steps.length} step(s), stopped: ${sweep.stopped.reason}${sweep.stopped.detail ? ` (${sweep.stopped.detail})` : ''}\n` +
        `sweep file: ${options.out}\nreport: ${report.html}\n` +
        `next: osqsim capacity plan --hosts 150000 --from ${options.out}\n`,
    );
  }
  return sweep.stopped.reason === 'error' ? EXIT.ERROR : EXIT.OK;
}
