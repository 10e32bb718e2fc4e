/**
 * bench/harness.ts: every benchmark parses its flags through one table and prints the DESIGN §6
 * document, `{bench, machine, params, results, ratio}`, or its own table.
 */
import { describe, expect, it } from 'vitest';
import { benchFlags, defineBench, durationMs, nonNegativeInt, option, optional, positiveInt, sizeBytes, toggle } from '../../bench/harness.js';
import { machineInfo } from '../../lib/machine.js';
import { EXIT } from '../../lib/exit-codes.js';

function captured(): { stdout: string[]; stderr: string[]; output: { stdout(text: string): void; stderr(text: string): void } } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, output: { stdout: (text) => void stdout.push(text), stderr: (text) => void stderr.push(text) } };
}

const seen: unknown[] = [];
const echo = defineBench({
  name: 'echo',
  description: 'returns what it was given',
  params: {
    hosts: option('--hosts <n>', 'hosts', positiveInt, '10'),
    teams: option('--teams <n>', 'teams', nonNegativeInt, '0'),
    window: option('--window <duration>', 'window', durationMs, '2s'),
    pool: optional('--buffer-pool <size>', 'pool', sizeBytes),
    naive: toggle('--no-naive', 'skip the baseline'),
    reset: toggle('--reset', 'start again'),
  },
  async run(values, progress) {
    seen.push(values);
    progress('measuring');
    return { params: { hosts: values.hosts, window_s: values.window / 1000 }, results: { served: values.hosts * 2 }, ratio: 0.5, machine: { mysql_version: 'test' } };
  },
  format: (doc) => `echo: ${doc.results.served} served`,
});

describe('bench harness', () => {
  it('prints one JSON document {bench, machine, params, results, ratio} with machine facts from lib/machine.ts', async () => {
    const out = captured();
    expect(await echo.execute(['--hosts', '3', '--json'], out.output)).toBe(EXIT.OK);
    expect(out.stdout).toHaveLength(1);
    const doc = JSON.parse(out.stdout[0]!) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['bench', 'machine', 'params', 'results', 'ratio']);
    expect(doc).toMatchObject({ bench: 'echo', params: { hosts: 3, window_s: 2 }, results: { served: 6 }, ratio: 0.5 });
    expect(doc.machine).toEqual({ ...machineInfo(), mysql_version: 'test' });
    expect(out.stderr.join('')).toBe('measuring\n');
  });

  it("prints the benchmark's table without --json", async () => {
    const out = captured();
    await echo.execute(['--hosts', '4'], out.output);
    expect(out.stdout.join('')).toBe('echo: 8 served\n');
  });

  it('leaves ratio out when the benchmark has no baseline', async () => {
    const out = captured();
    const noBaseline = defineBench({ name: 'plain', description: '', params: {}, run: async () => ({ params: {}, results: {} }), format: () => '' });
    await noBaseline.execute(['--json'], out.output);
    expect(JSON.parse(out.stdout[0]!)).not.toHaveProperty('ratio');
  });

  it('parses durations and sizes with lib/units.ts and applies the table defaults', async () => {
    seen.length = 0;
    await echo.execute(['--window', '1m30s', '--buffer-pool', '2GiB', '--no-naive', '--reset'], captured().output);
    expect(seen[0]).toEqual({ hosts: 10, teams: 0, window: 90_000, pool: 2 * 1024 ** 3, naive: false, reset: true });
    await echo.execute([], captured().output);
    expect(seen[1]).toEqual({ hosts: 10, teams: 0, window: 2000, pool: undefined, naive: true, reset: false });
  });

  it('rejects a bad value with the option named and exit code 2', async () => {
    for (const [argv, message] of [
      [['--hosts', '0'], /--hosts: expected a whole number ≥ 1/],
      [['--hosts', '2.5'], /--hosts/],
      [['--teams', '-1'], /--teams: expected a whole number ≥ 0/],
      [['--window', 'soon'], /invalid duration "soon"/],
      [['--buffer-pool', '2m'], /invalid size "2m"/],
    ] as const) {
      const out = captured();
      expect(await echo.execute(argv, out.output)).toBe(EXIT.INVALID_INPUT);
      expect(out.stderr.join('')).toMatch(message);
      expect(out.stdout).toEqual([]);
    }
  });

  it('answers an unknown flag with exit code 2 (a usage error)', async () => {
    expect(await echo.execute(['--hots', '3'], captured().output)).toBe(EXIT.INVALID_INPUT);
  });

  it('gives helper processes (benchmark targets) the same table and parser', () => {
    const params = { hosts: option('--hosts <n>', 'hosts', positiveInt, '2000'), feed: option('--host-feed-interval <ms>', 'feed', nonNegativeInt, '1000') };
    expect(benchFlags(params, ['--hosts', '5', '--host-feed-interval', '0'])).toEqual({ hosts: 5, feed: 0 });
    expect(benchFlags(params, [])).toEqual({ hosts: 2000, feed: 1000 });
    expect(() => benchFlags(params, ['--hosts', 'many'])).toThrow(/--hosts/);
  });
});
