/** `osqsim <command>` loads only that command's module (cli/index.ts commandModulesFor), and the table's names are true. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, COMMAND_MODULES, commandModulesFor } from '../../cli/index.js';

describe('command modules', () => {
  it('each module registers exactly the top-level commands the table names', async () => {
    for (const module of COMMAND_MODULES) {
      const program = new Command('osqsim');
      (await module.load()).register(program);
      expect(program.commands.map((c) => c.name()).sort(), module.commands.join(',')).toEqual([...module.commands].sort());
    }
  });

  it('a named command loads its module alone; help, --version and unknown words load all', () => {
    expect(commandModulesFor(['server', '--port', '0']).map((m) => m.commands[0])).toEqual(['server']);
    expect(commandModulesFor(['apply', '-f', 'x.yml']).map((m) => m.commands[0])).toEqual(['policies']);
    for (const args of [[], ['--help'], ['help', 'server'], ['--version'], ['serve']]) expect(commandModulesFor(args)).toBe(COMMAND_MODULES);
  });

  it('the program built for `server` has only the server command, with its options', async () => {
    const program = await buildProgram(['server']);
    expect(program.commands.map((c) => c.name())).toEqual(['server']);
    expect(program.commands[0]!.options.some((o) => o.long === '--store')).toBe(true);
    expect((await buildProgram()).commands.length).toBe(COMMAND_MODULES.reduce((n, m) => n + m.commands.length, 0));
  });
});
