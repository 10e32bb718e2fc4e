import { describe, expect, it } from 'vitest';
import { optionsFromFlags } from '../../capacity/stats-bench-command.js';
import { summarize } from '../../capacity/stats-bench-results.js';
import { seededPasses, seededTeam } from '../../capacity/stats-bench-seed.js';

const flags = {
  store: 'mysql://root@127.0.0.1:3306/osqsim_bench',
  hosts: '1000',
  policies: '10',
  teams: '3',
  strategies: 'cron,incremental',
  repeats: '3',
  reads: '5',
  freshnessTrials: '4',
  writeRate: '20',
  writeSeconds: '5',
  writeRounds: '2',
  connections: '8',
  seed: '7',
};

describe('osqsim bench stats: options and data shape', () => {
  it('parses flags, sizes and strategy lists; rejects unknown strategies and bad numbers', () => {
    expect(optionsFromFlags({ ...flags, bufferPool: '2GiB' })).toMatchObject({
      hosts: 1000,
      teams: 3,
      strategies: ['cron', 'incremental'],
      bufferPoolBytes: 2 * 1024 ** 3,
      reset: false,
    });
    expect(() => optionsFromFlags({ ...flags, strategies: 'cron,hourly' })).toThrow(/unknown strategy "hourly"/);
    expect(() => optionsFromFlags({ ...flags, hosts: '0' })).toThrow(/--hosts/);
    expect(optionsFromFlags({ ...flags, teams: '0' }).teams).toBe(0);
  });

  it('reads --buffer-pool as lib/units.ts does: MB is 10⁶ bytes, MiB 2²⁰, a bare "m" is not a unit', () => {
    expect(optionsFromFlags({ ...flags, bufferPool: '512MB' }).bufferPoolBytes).toBe(512_000_000);
    expect(optionsFromFlags({ ...flags, bufferPool: '512MiB' }).bufferPoolBytes).toBe(512 * 1024 ** 2);
    expect(() => optionsFromFlags({ ...flags, bufferPool: '512m' })).toThrow(/invalid size "512m"/);
  });

  it('spreads hosts over the teams and No team, and answers 60/35/5', () => {
    const teams = [11, 12, 13];
    const counts = new Map<number | null, number>();
    for (let h = 1; h <= 4000; h++) counts.set(seededTeam(h, teams), (counts.get(seededTeam(h, teams)) ?? 0) + 1);
    expect([...counts.values()]).toEqual([1000, 1000, 1000, 1000]);
    expect(counts.has(null)).toBe(true);
    const answers = { 1: 0, 0: 0, null: 0 } as Record<string, number>;
    for (let h = 1; h <= 20_000; h++) answers[String(seededPasses(1, 5, h))]! += 1;
    expect(answers['1']! / 20_000).toBeCloseTo(0.6, 1);
    expect(answers['null']! / 20_000).toBeCloseTo(0.05, 1);
  });

  it('summarizes with the median of an even count as the mean of the middle two', () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
    expect(summarize([])).toEqual({ median: 0, min: 0, max: 0, runs: 0 });
  });
});
