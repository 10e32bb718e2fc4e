/**
 * Invalid input exits 2 in every command, with the problem and a hint (lib/cli-usage.ts decides from
 * the catalogue entry's exit class). Before one rule decided, `osqsim capacity sweep bad.yaml` exited
 * 1 on an invalid scenario while `osqsim run bad.yaml` exited 2.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { register as registerCapacity } from '../../cli/capacity.js';
import { applyCommand } from '../../cli/policies.js';
import { compareCommand, mergeCommand } from '../../cli/report.js';
import { syntheticResult } from '../reports/fixture.js';
import { runCommand } from '../../cli/run.js';
import { planCommand, validateCommand } from '../../cli/scenario.js';
import { runServer } from '../../cli/server.js';
import { runSimulate } from '../../cli/simulate.js';
import { EXIT } from '../../lib/exit-codes.js';
import { exitCodeFor } from '../../lib/cli-usage.js';
import { osqsimError } from '../../lib/errors.js';

let dir: string;
let badScenario: string;
let notAResult: string;
let badPolicies: string;
let goodPolicies: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'osqsim-invalid-'));
  badScenario = join(dir, 'bad.yaml');
  writeFileSync(badScenario, 'name: bad\nhosts: lots\ncolour: red\n');
  notAResult = join(dir, 'not-a-result.json');
  writeFileSync(notAResult, '{"schema": "something else"}\n');
  badPolicies = join(dir, 'bad-policies.yml');
  writeFileSync(badPolicies, 'apiVersion: v1\nkind: policy\nspec:\n  query: SELECT 1;\n');
  goodPolicies = join(dir, 'policies.yml');
  writeFileSync(goodPolicies, 'apiVersion: v1\nkind: policy\nspec:\n  name: A\n  query: SELECT 1;\n');
});

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** What a command wrote to stderr (and stdout) while `fn` ran. */
async function captured<T>(fn: (write: (text: string) => void) => T | Promise<T>): Promise<{ result: T; text: string }> {
  const chunks: string[] = [];
  const write = (chunk: unknown): boolean => (chunks.push(String(chunk)), true);
  vi.spyOn(process.stderr, 'write').mockImplementation(write as never);
  vi.spyOn(process.stdout, 'write').mockImplementation(write as never);
  const result = await fn((text) => chunks.push(text));
  return { result, text: chunks.join('') };
}

/** `osqsim capacity …` through commander, as a user runs it; the exit code it sets. */
async function capacity(args: string[]): Promise<{ result: number | undefined; text: string }> {
  return captured(async () => {
    const program = new Command('osqsim').exitOverride();
    registerCapacity(program);
    await program.parseAsync(['node', 'osqsim', 'capacity', ...args]);
    return process.exitCode as number | undefined;
  });
}

function expectInvalidInput(outcome: { result: unknown; text: string }, problem: RegExp): void {
  expect(outcome.result, outcome.text).toBe(EXIT.INVALID_INPUT);
  expect(outcome.text).toMatch(problem);
  expect(outcome.text).toMatch(/^hint: \S/m);
}

describe('invalid input exits 2 with the problem and a hint', () => {
  it('osqsim capacity sweep BAD.yaml (an invalid scenario), like osqsim run BAD.yaml', async () => {
    expectInvalidInput(await capacity(['sweep', badScenario]), /invalid scenario .*bad\.yaml[\s\S]*colour/);
    expectInvalidInput(await captured((write) => runCommand(badScenario, { quiet: true }, write, write)), /invalid scenario .*bad\.yaml[\s\S]*colour/);
  });

  it('osqsim capacity sweep with a bad flag value', async () => {
    expectInvalidInput(await capacity(['sweep', badScenario, '--steps', 'zero']), /--steps/);
  });

  it('osqsim capacity plan with a bad flag value', async () => {
    expectInvalidInput(await capacity(['plan', '--hosts', '1000', '--target-cpu', '500%']), /--target-cpu/);
  });

  it('osqsim run with a bad flag value or a missing scenario', async () => {
    const tiny = join(import.meta.dirname, '..', 'scenarios', 'fixtures', 'tiny.yaml');
    expectInvalidInput(await captured((write) => runCommand(tiny, { hosts: 'lots' }, write, write)), /--hosts must be a whole number/);
    expectInvalidInput(await captured((write) => runCommand(join(dir, 'missing.yaml'), {}, write, write)), /not found: .*missing\.yaml/);
  });

  it('osqsim scenario validate and plan', async () => {
    expectInvalidInput(await captured((write) => validateCommand([badScenario], write, write)), /bad\.yaml: \d+ problems[\s\S]*colour/);
    expectInvalidInput(await captured((write) => planCommand(badScenario, false, write, write)), /bad\.yaml: \d+ problems/);
  });

  it('osqsim simulate with a bad scenario file or a bad flag value', async () => {
    expectInvalidInput(await captured(() => runSimulate({ target: 'http://127.0.0.1:1', scenario: badScenario })), /colour/);
    expectInvalidInput(await captured(() => runSimulate({ target: 'http://127.0.0.1:1', hosts: 'many' })), /--hosts/);
  });

  it('osqsim report merge and compare', async () => {
    expectInvalidInput(await captured((write) => mergeCommand([notAResult, notAResult], join(dir, 'out.json'), write, write)), /not-a-result\.json: not an osqsim result/);
    const oneResult = join(dir, 'one-result.json');
    writeFileSync(oneResult, JSON.stringify(syntheticResult()));
    expectInvalidInput(await captured((write) => mergeCommand([oneResult], join(dir, 'out.json'), write, write)), /found 1 result .*at least two result files/);
    expectInvalidInput(await captured((write) => compareCommand(notAResult, notAResult, 'lots', false, write, write)), /--max-regression/);
  });

  it('osqsim policies apply with an invalid file or a bad --url (before any request)', async () => {
    const io = (write: (text: string) => void) => ({ out: (line: string) => write(`${line}\n`), err: (line: string) => write(`${line}\n`) });
    expectInvalidInput(await captured((write) => applyCommand(badPolicies, { token: 't' }, io(write))), /invalid policy file [\s\S]*nothing was applied/);
    expectInvalidInput(await captured((write) => applyCommand(goodPolicies, { token: 't', url: 'not a url' }, io(write))), /--url/);
  });

  it('osqsim server with a bad flag value or an invalid --policies file', async () => {
    expectInvalidInput(await captured(() => runServer({ port: 'eighty' })), /--port/);
    expectInvalidInput(await captured(() => runServer({ port: '0', logLevel: 'silent', policies: badPolicies })), /invalid policy file/);
  });
});

describe('exitCodeFor', () => {
  it('reads the exit class of the catalogue entry, by code (also for an error cloned from a worker thread)', () => {
    expect(exitCodeFor(osqsimError('SCENARIO_INVALID', { source: 'x', problems: 'y' }))).toBe(EXIT.INVALID_INPUT);
    expect(exitCodeFor({ code: 'FLEET_API_REJECTED', message: 'cloned' })).toBe(EXIT.INVALID_INPUT);
    expect(exitCodeFor(osqsimError('FLEET_API_UNREACHABLE', { url: 'u', reason: 'r' }))).toBe(EXIT.ERROR);
    expect(exitCodeFor(new Error('anything else'))).toBe(EXIT.ERROR);
  });
});
