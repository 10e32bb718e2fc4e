import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../cli/index.js';
import { serverArgs } from '../../../scenarios/harness/server-args.js';
import { parseScenarioText } from '../../../scenarios/read.js';

const loaded = parseScenarioText(
  'hosts: 10\nduration: 1m\nserver: { policy_update_interval: 4s, log_level: info, stats: { strategy: [cron, incremental], interval: 5s }, extra_args: [--ingest-max-delay, 2ms] }\n' +
    'agent: { distributed_interval: 2s }\nfleet: { groups: [ { name: a, count: 5, platform: darwin, os_version: "14", team: eng }, { name: b, count: 5, platform: ubuntu, os_version: "22.04", team: eng } ] }\n',
  'x.yaml',
);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
const scenario = loaded.scenario;

describe('`osqsim server` flags for a scenario', () => {
  it('are flags `osqsim server` has', async () => {
    const args = serverArgs(scenario, { strategy: 'cron', store: 'memory', apiToken: 'tok', policiesFile: '/tmp/p.yml', tlsDir: '/tmp/tls' });
    const program = await buildProgram();
    const server = program.commands.find((command) => command.name() === 'server')!;
    const known = new Set(server.options.map((option) => option.long));
    for (const flag of args.filter((arg) => arg.startsWith('--'))) expect(known.has(flag), flag).toBe(true);
  });

  it("carry the scenario's intervals, one secret per team, and its extra_args last", () => {
    const args = serverArgs(scenario, { strategy: 'incremental', store: 'memory', apiToken: 'tok' });
    const flag = (name: string): string | undefined => args[args.indexOf(name) + 1];
    expect(flag('--policy-update-interval')).toBe('4000ms');
    expect(flag('--distributed-interval')).toBe('2');
    expect(flag('--stats-strategy')).toBe('incremental');
    expect(flag('--stats-interval')).toBe('5000ms');
    expect(flag('--log-level')).toBe('info');
    expect(args.filter((arg) => arg === 'eng:eng')).toHaveLength(1);
    expect(args.slice(-2)).toEqual(['--ingest-max-delay', '2ms']);
    expect(args).not.toContain('--policies');
    expect(args).not.toContain('--tls');
  });

  it('serve HTTPS with a self-signed CA in the given folder (server.tls: self-signed)', () => {
    const args = serverArgs(scenario, { strategy: 'cron', store: 'memory', apiToken: 'tok', tlsDir: '/tmp/run-tls' });
    expect(args[args.indexOf('--tls') + 1]).toBe('self-signed:/tmp/run-tls');
  });

  it("take a sweep's overrides: log level, stats interval, a policies file", () => {
    const args = serverArgs(scenario, { strategy: 'cron', store: 'memory', apiToken: 'tok', logLevel: 'warn', statsIntervalMs: 2000, policiesFile: '/tmp/p.yml' });
    const flag = (name: string): string | undefined => args[args.indexOf(name) + 1];
    expect(flag('--log-level')).toBe('warn');
    expect(flag('--stats-interval')).toBe('2000ms');
    expect(flag('--policies')).toBe('/tmp/p.yml');
  });
});
