import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { register, sweepOptionsFromFlags } from '../../cli/capacity.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sweepOf, sweepStep } from '../capacity/fixtures.js';

const tinyScenario = fileURLToPath(new URL('../capacity/tiny-sweep.yaml', import.meta.url));

async function runPlan(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    const program = new Command('osqsim').exitOverride();
    register(program);
    await program.parseAsync(['node', 'osqsim', 'capacity', 'plan', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const exitCode = process.exitCode as number | undefined;
  process.exitCode = undefined;
  return { stdout, stderr, exitCode };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('osqsim capacity plan', () => {
  it('prints the JSON fields a user scripts against, each with a source', async () => {
    const { stdout, exitCode } = await runPlan(['--hosts', '150000', '--policies', '80', '--json']);
    expect(exitCode).toBe(0);
    const plan = JSON.parse(stdout) as Record<string, unknown> & {
      requestRates: Record<string, { value: number; source: string }>;
      input: { hosts: number; targetCpu: number; distributedIntervalS: number };
      measured: boolean;
    };
    expect(plan.schema).toBe('osqsim.capacity-plan/v1');
    for (const key of ['requestRates', 'membershipRowsPerS', 'membershipRows', 'aggregation', 'serverCpuCores', 'serverInstances', 'serverRssMbPerInstance', 'database', 'fleetReference', 'assumptions', 'warnings']) {
      expect(plan, key).toHaveProperty(key);
    }
    expect(Object.keys(plan.requestRates).sort()).toEqual(['config', 'log', 'read', 'total', 'write']);
    expect(Object.keys(plan.aggregation as object).sort()).toEqual(['cron', 'incremental', 'realtime']);
    expect(plan.requestRates.read.value).toBe(15_000);
    expect(plan.input).toMatchObject({ hosts: 150_000, targetCpu: 0.6, distributedIntervalS: 10 });
    expect(plan.measured).toBe(false);
  });

  it('prints a table with the sources, the assumptions and the Fleet column', async () => {
    const { stdout, exitCode } = await runPlan(['--hosts', '150k', '--distributed-interval', '30s', '--target-cpu', '50%']);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/distributed\/read\s+5,000 req\/s\s+model: hosts \/ distributed_interval \(30 s\)/);
    expect(stdout).toContain('UNMEASURED');
    expect(stdout).toContain("Fleet's reference architecture for ≤ 150,000 hosts: 20 tasks");
    expect(stdout).toContain('Assumptions:');
  });

  it('calibrates from --from sweep.json and names it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-plan-'));
    const file = join(dir, 'sweep.json');
    writeFileSync(file, JSON.stringify(sweepOf([sweepStep(1, 1000), sweepStep(2, 2000)])));
    const { stdout, exitCode } = await runPlan(['--hosts', '10000', '--policies', '10', '--from', file, '--json']);
    expect(exitCode).toBe(0);
    const plan = JSON.parse(stdout) as { measured: boolean; requestRates: { read: { source: string } } };
    expect(plan.measured).toBe(true);
    expect(plan.requestRates.read.source).toContain(`measured: ${file} steps 1–2`);
  });

  it('exits 2 on invalid input, with the reason', async () => {
    const bad = await runPlan(['--hosts', '1000', '--target-cpu', '150%']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--target-cpu/);
    const notSweep = await runPlan(['--hosts', '1000', '--from', '/nonexistent/sweep.json']);
    expect(notSweep.exitCode).toBe(2);
    expect(notSweep.stderr).toMatch(/cannot read/);
    const duration = await runPlan(['--hosts', '1000', '--policy-interval', 'soon']);
    expect(duration.exitCode).toBe(2);
  });

  it('takes the label and scheduled-query flags, and exits 2 on bad values', async () => {
    const { stdout, exitCode } = await runPlan(['--hosts', '3600', '--labels', '12', '--label-update-interval', '30m', '--scheduled-queries', '4', '--query-interval', '10m', '--rows-per-result', '25', '--json']);
    expect(exitCode).toBe(0);
    const plan = JSON.parse(stdout) as { labelQueriesPerS: { value: number }; scheduledResults: { linesPerS: { value: number }; rowsPerS: { value: number } } };
    expect(plan.labelQueriesPerS.value).toBe(24); // 3600 × 12 / 1800
    expect(plan.scheduledResults.linesPerS.value).toBeCloseTo(24, 9); // 3600 × 4 / 600
    expect(plan.scheduledResults.rowsPerS.value).toBeCloseTo(600, 9);
    const defaults = JSON.parse((await runPlan(['--hosts', '3600', '--json'])).stdout) as typeof plan;
    expect(defaults.labelQueriesPerS.value).toBe(8);
    expect(defaults.scheduledResults.rowsPerS.value).toBe(0);
    for (const [flag, value, message] of [
      ['--labels', '-1', 'invalid option --labels'],
      ['--label-memberships', '9', 'invalid option --label-memberships: must be at most --labels (8)'],
      ['--scheduled-queries', 'many', 'invalid option --scheduled-queries'],
      ['--rows-per-result', '2.5', 'invalid option --rows-per-result'],
      ['--label-update-interval', '0s', 'invalid option --label-update-interval: must be > 0'],
      ['--query-interval', '0s', 'invalid option --query-interval: must be > 0'],
    ] as const) {
      const bad = await runPlan(['--hosts', '1000', flag, value]);
      expect(bad.exitCode, flag).toBe(2);
      expect(bad.stderr, flag).toContain(message);
    }
  });

  it('names the flag the user typed, not the model\'s internal key', async () => {
    const zero = await runPlan(['--hosts', '1000', '--distributed-interval', '0s']);
    expect(zero.exitCode).toBe(2);
    expect(zero.stderr).toContain('invalid option --distributed-interval: must be > 0 (got 0)');
    expect(zero.stderr).not.toContain('distributedIntervalS');
    const two = await runPlan(['--hosts', '1000', '--config-refresh', '0s', '--stats-interval', '0s']);
    expect(two.stderr).toContain('invalid option --config-refresh: must be > 0 (got 0); --stats-interval must be > 0 (got 0)');
  });
});

describe('README on osqsim capacity plan', () => {
  it('names every flag of the command with its default', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const start = readme.indexOf('- `osqsim capacity plan --hosts');
    const paragraph = readme.slice(start, readme.indexOf('\n\n', start));
    expect(start).toBeGreaterThan(-1);
    const program = new Command('osqsim');
    register(program);
    const plan = program.commands.find((c) => c.name() === 'capacity')!.commands.find((c) => c.name() === 'plan')!;
    for (const option of plan.options) {
      if (option.long === '--hosts') continue; // in the command line itself
      expect(paragraph, option.long).toContain(`\`${option.long}`);
      if (option.defaultValue !== undefined) expect(paragraph, option.long).toMatch(new RegExp(`\`${option.long}[^(]*\\(${String(option.defaultValue).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[):]`));
    }
  });
});

describe('osqsim capacity sweep', () => {
  it('checks flags before running anything', () => {
    expect(() => sweepOptionsFromFlags(tinyScenario, { from: '100', to: '10' })).toThrow(/--to/);
    expect(() => sweepOptionsFromFlags(tinyScenario, { until: ['read.p99 >'] })).toThrow(/--until/);
    expect(sweepOptionsFromFlags('quickstart', {}).scenarioFile).toMatch(/scenarios[\\/]quickstart\.yaml$/);
    expect(sweepOptionsFromFlags('quickstart', {}).until).toEqual(['read.p99 > 500ms', 'errors.rate > 1%']);
    expect(sweepOptionsFromFlags('quickstart', { until: ['write.p99 > 1s'] }).until).toEqual(['write.p99 > 1s']);
  });
});
