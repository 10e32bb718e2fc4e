/**
 * `osqsim report RESULT.json [--out DIR]`            re-render summary.md and report.html
 * `osqsim report merge A.json B.json … -o OUT.json`  merge shard results exactly (and render them); inputs may
 *                                                    also be kubectl logs output, folders, or - (stdin)
 * `osqsim report compare BASE.json NEW.json [--max-regression 10%]`  per-metric deltas; exit 3 on a regression
 */
import { dirname, join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { osqsimError } from '../lib/errors.js';
import { reportError } from '../lib/cli-usage.js';
import { EXIT } from '../lib/exit-codes.js';
import { compareResults, formatComparison } from '../reports/compare.js';
import { renderHtml } from '../reports/html.js';
import { mergeResults } from '../reports/merge.js';
import { checkAllShards, readMergeInputs } from '../reports/merge-input.js';
import { readResultFile, writeRunFiles } from '../reports/output.js';
import { renderSummary } from '../reports/summary.js';
import { evaluateThresholds } from '../scenarios/thresholds.js';

type Print = (text: string) => void;
const stdout: Print = (t) => process.stdout.write(t);
const stderr: Print = (t) => process.stderr.write(t);

export function renderCommand(file: string, outDir: string | undefined, out: Print = stdout, err: Print = stderr): number {
  try {
    const doc = readResultFile(file);
    const dir = outDir ?? dirname(file);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'summary.md'), renderSummary(doc));
    writeFileSync(join(dir, 'report.html'), renderHtml(doc));
    out(`report: ${join(dir, 'report.html')}\nsummary: ${join(dir, 'summary.md')}\n`);
    return EXIT.OK;
  } catch (error) {
    return reportError('osqsim report', error, err);
  }
}

export interface MergeFlags {
  /** Merge the shards found even when some of 0..n-1 are missing. */
  allowMissing?: boolean;
  /** Standard input, for `-` (tests pass text). */
  stdin?: () => string;
}

/**
 * Inputs are result files, logs holding result lines (`kubectl logs` of a simulator Job), folders of
 * either, or `-` for standard input (reports/merge-input.ts).
 */
export function mergeCommand(inputs: readonly string[], output: string, out: Print = stdout, err: Print = stderr, flags: MergeFlags = {}): number {
  try {
    const found = readMergeInputs(inputs, flags.stdin);
    if (found.length < 2) {
      throw osqsimError('CLI_INVALID_ARGUMENT', { argument: '<results...>', reason: `found ${found.length} result in ${inputs.join(', ')}: give at least two result files (or a log with one result line per shard, or a folder)` });
    }
    // Merge first: it names a shard given twice or shards of different runs, which would also look like a gap.
    const merged = mergeResults(found.map((f) => f.doc));
    if (!flags.allowMissing) checkAllShards(found);
    const thresholds = Array.isArray(merged.scenario.thresholds) ? (merged.scenario.thresholds as unknown[]).filter((t): t is string => typeof t === 'string') : [];
    merged.thresholds = evaluateThresholds(merged, thresholds);
    const dir = dirname(output);
    mkdirSync(dir, { recursive: true });
    writeFileSync(output, `${JSON.stringify(merged, null, 2)}\n`);
    out(`merged ${found.length} results (${merged.run.hosts} hosts) into ${output}\n`);
    return EXIT.OK;
  } catch (error) {
    return reportError('osqsim report merge', error, err);
  }
}

/** `10%`, `0.1` or `10` (percent when > 1). */
export function parseFraction(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  return match[2] === '%' || value > 1 ? value / 100 : value;
}

export function compareCommand(baseFile: string, nextFile: string, maxRegression: string, json: boolean, out: Print = stdout, err: Print = stderr): number {
  const limit = parseFraction(maxRegression);
  if (limit === undefined) {
    return reportError('osqsim report compare', osqsimError('CLI_INVALID_OPTION', { option: '--max-regression', reason: `expected a percentage like 10% (got "${maxRegression}")` }), err);
  }
  try {
    const comparison = compareResults(readResultFile(baseFile), readResultFile(nextFile), limit);
    out(json ? `${JSON.stringify(comparison)}\n` : `${formatComparison(comparison)}\n`);
    return comparison.regressions.length ? EXIT.THRESHOLDS_FAILED : EXIT.OK;
  } catch (error) {
    return reportError('osqsim report compare', error, err);
  }
}

export function register(program: Command): void {
  const report = program
    .command('report')
    .description('Re-render, merge and compare run results (result.json)')
    .argument('[result]', 'result.json to re-render into summary.md and report.html')
    .option('--out <dir>', 'folder for the rendered files (default: beside the result)')
    .action((file: string | undefined, flags: { out?: string }) => {
      if (!file) {
        report.help({ error: true });
        return;
      }
      process.exitCode = renderCommand(file, flags.out);
    });
  report
    .command('merge')
    .description('Merge the results of the shards of one run exactly (histograms add)')
    .argument('<inputs...>', 'result.json files, logs with one result line per shard (kubectl logs), folders of either, or - for stdin')
    .requiredOption('-o, --output <file>', 'merged result.json to write')
    .option('--render', 'also write summary.md and report.html beside it')
    .option('--allow-missing', 'merge even when some shards of 0..n-1 did not report')
    .action((files: string[], flags: { output: string; render?: boolean; allowMissing?: boolean }) => {
      let code = mergeCommand(files, flags.output, stdout, stderr, { allowMissing: flags.allowMissing === true });
      if (code === EXIT.OK && flags.render) {
        const files2 = writeRunFiles(readResultFile(flags.output), dirname(flags.output));
        stdout(`report: ${files2.html}\n`);
        code = EXIT.OK;
      }
      process.exitCode = code;
    });
  report
    .command('compare')
    .description('Per-metric deltas between two runs; exit 3 when a metric regressed beyond the limit')
    .argument('<base>', 'baseline result.json')
    .argument('<new>', 'new result.json')
    .option('--max-regression <pct>', 'largest tolerated change for the worse', '10%')
    .option('--json', 'print the comparison as JSON')
    .action((base: string, next: string, flags: { maxRegression: string; json?: boolean }) => {
      process.exitCode = compareCommand(base, next, flags.maxRegression, flags.json === true);
    });
}
