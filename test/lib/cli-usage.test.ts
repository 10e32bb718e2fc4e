/**
 * Commander's usage errors exit 2 (invalid input, README) in every command, not commander's 1: the
 * program sets it once and every sub-command inherits it. Help still exits 0.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../cli/index.js';
import { commanderExitCode } from '../../lib/cli-usage.js';

class Exited extends Error {
  constructor(readonly code: number | undefined) {
    super(`exit ${code}`);
  }
}

async function exitCodeOf(args: string[]): Promise<number | undefined> {
  const exit = vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
    throw new Exited(code);
  }) as never);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const program = await buildProgram();
    await program.parseAsync(['node', 'osqsim', ...args]);
    return undefined;
  } catch (error) {
    if (error instanceof Exited) return error.code;
    throw error;
  } finally {
    exit.mockRestore();
  }
}

describe('commander usage errors exit 2', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    [['server', '--no-such-flag']],
    [['server', '--port']],
    [['policies', 'apply']],
    [['policies', 'no-such-subcommand']],
    [['policies', 'delete']],
    [['policies', 'list', '--team']],
    [['policies']],
    [['capacity', 'sweep']],
    [['capacity', 'plan']],
    [['capacity', 'plan', '--hosts', '10', '--bogus']],
    [['report', 'merge', 'a.json', 'b.json']],
    [['scenario', 'plan']],
    [['run', 'quickstart', 'extra']],
  ])('osqsim %j → 2', async (args) => {
    expect(await exitCodeOf(args)).toBe(2);
  });

  it.each([[['server', '--help']], [['policies', '--help']], [['policies', 'apply', '--help']]])('osqsim %j → 0', async (args) => {
    expect(await exitCodeOf(args)).toBe(0);
  });

  it('maps codes: usage → 2, help/version → 0, anything else keeps its code', () => {
    expect(commanderExitCode({ code: 'commander.unknownOption', exitCode: 1 })).toBe(2);
    expect(commanderExitCode({ code: 'commander.helpDisplayed', exitCode: 0 })).toBe(0);
    expect(commanderExitCode({ code: 'commander.version', exitCode: 0 })).toBe(0);
    expect(commanderExitCode({ code: 'commander.executeSubCommandAsync', exitCode: 7 })).toBe(7);
  });
});
