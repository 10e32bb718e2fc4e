import { describe, expect, it } from 'vitest';
import { evaluateThresholds, parseThreshold } from '../../scenarios/thresholds.js';
import { scoreCounts, StalenessTracker } from '../../scenarios/scoring.js';
import { serverArgs } from '../../scenarios/runner.js';
import { parseScenarioText } from '../../scenarios/read.js';
import { applyOverrides } from '../../scenarios/overrides.js';
import { syntheticResult, spread } from '../reports/fixture.js';

describe('thresholds', () => {
  it('parses values into the metric\'s unit', () => {
    const value = (expr: string) => {
      const parsed = parseThreshold(expr);
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.threshold.value;
    };
    expect(value('read.p99 < 200ms')).toBe(200);
    expect(value('read.p99 < 1.5s')).toBe(1500);
    expect(value('errors.rate < 0.1%')).toBeCloseTo(0.001);
    expect(value('errors.rate < 0.001')).toBeCloseTo(0.001);
    expect(value('counts.staleness.max < 5s')).toBe(5);
    expect(value('counts.staleness.max < 500ms')).toBe(0.5);
    expect(value('counts.error.max == 0')).toBe(0);
    expect(value('server.cpu.max <= 80%')).toBe(80);
  });

  it('refuses values no run can reach: a rate beyond 100%, a negative figure', () => {
    const error = (expr: string) => {
      const parsed = parseThreshold(expr);
      return parsed.ok ? '' : parsed.error;
    };
    expect(error('errors.rate < 200%')).toBe('"errors.rate" is a fraction between 0 and 1 (0%–100%), got 200%');
    expect(error('checkins.late.rate < 1.5')).toMatch(/fraction between 0 and 1/);
    expect(error('read.p99 > -5ms')).toBe('"read.p99" is never negative, got -5ms');
    expect(error('errors.rate <= 100%')).toBe('');
  });

  it('evaluates against the result document', () => {
    const doc = syntheticResult({ readLatencies: spread(1000, 1, 300), errors: { '5xx': 5 } });
    const results = evaluateThresholds(doc, ['read.p99 < 200ms', 'write.p99 < 500ms', 'errors.rate < 0.1%', 'counts.staleness.max < 5s', 'counts.error.max == 0', 'server.cpu.max < 50%']);
    expect(results.map((r) => [r.expr, r.ok])).toEqual([
      ['read.p99 < 200ms', false],
      ['write.p99 < 500ms', true],
      ['errors.rate < 0.1%', false],
      ['counts.staleness.max < 5s', false],
      ['counts.error.max == 0', false],
      ['server.cpu.max < 50%', true],
    ]);
    expect(results[0]!.value).toBe(doc.endpoints.read!.latency_ms.p99);
    expect(results[2]!.value).toBeCloseTo(5 / 1200);
    expect(results[3]!.value).toBe(12.25);
    expect(results[4]!.value).toBe(4);
  });

  it('a metric without data fails the threshold, marked no_data', () => {
    const doc = syntheticResult();
    doc.policies = doc.policies.map(({ server: _server, ...p }) => p);
    delete doc.server;
    expect(evaluateThresholds(doc, ['counts.error.max == 0', 'server.rss.max < 1000MB', 'enroll.p99 < 1s'])).toEqual([
      { expr: 'counts.error.max == 0', value: null, ok: false, no_data: true },
      { expr: 'server.rss.max < 1000MB', value: null, ok: false, no_data: true },
      { expr: 'enroll.p99 < 1s', value: null, ok: false, no_data: true },
    ]);
  });
});

describe('count scoring', () => {
  it('a count between the truth before and after the read is right', () => {
    const before = new Map([[1, { passing: 10, failing: 5, unknown: 0 }]]);
    const after = new Map([[1, { passing: 12, failing: 5, unknown: 0 }]]);
    expect(scoreCounts([{ id: 1, passing: 11, failing: 5 }], before, after)).toEqual([{ id: 1, ok: true, error: 0 }]);
    expect(scoreCounts([{ id: 1, passing: 9, failing: 6 }], before, after)).toEqual([{ id: 1, ok: false, error: 2 }]);
    expect(scoreCounts([{ id: 2, passing: 0, failing: 0 }], before, after)).toEqual([{ id: 2, ok: true, error: 0 }]);
  });

  it('staleness is the age of the truth the counts show, counted after the warm-up', () => {
    const tracker = new StalenessTracker(10);
    const truth = (passing: number) => new Map([[1, { passing, failing: 100 - passing, unknown: 0 }]]);
    const read = (passing: number) => [{ id: 1, passing, failing: 100 - passing }];
    // The truth climbs 10 hosts a second; the server recounts every 5 s.
    expect(tracker.record(0, read(0), truth(0), truth(0)).staleness).toBe(0);
    expect(tracker.record(1, read(0), truth(10), truth(10)).staleness).toBe(1);
    expect(tracker.record(2, read(0), truth(20), truth(20)).staleness).toBe(2);
    expect(tracker.record(5, read(50), truth(50), truth(50)).staleness).toBe(0);
    expect(tracker.record(11, read(50), truth(60), truth(60)).staleness).toBe(6);
    expect(tracker.record(12, read(55), truth(70), truth(70)).staleness).toBe(7); // between the truths at 5 s and 11 s: from 5 s
    expect(tracker.worstOf(1)).toBe(7);
    // A recount between two samples shows a truth newer than the last snapshot: as old as that snapshot.
    expect(tracker.record(12.5, read(75), truth(80), truth(80)).staleness).toBe(0.5);
    // Counts that never were the truth are as old as the history.
    expect(tracker.record(13, read(99), truth(70), truth(70)).staleness).toBe(13);
    expect(tracker.worstOf(1)).toBe(13);
    expect(tracker.worstOf(2)).toBe(0);
  });
});

describe('runner helpers', () => {

  it('starts the server with the scenario\'s intervals, strategy, token and team secrets', () => {
    const loaded = parseScenarioText(
      'hosts: 10\nduration: 1m\nserver: { policy_update_interval: 30s, stats: { strategy: incremental, interval: 5s } }\nagent: { distributed_interval: 5s }\nfleet: { groups: [ { name: a, count: 10, platform: darwin, os_version: "14", team: eng } ] }\n',
      'x.yaml',
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const args = serverArgs(loaded.scenario, 'incremental', 'memory', 'tok');
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(flag('--policy-update-interval')).toBe('30000ms');
    expect(flag('--stats-strategy')).toBe('incremental');
    expect(flag('--stats-interval')).toBe('5000ms');
    expect(flag('--distributed-interval')).toBe('5');
    expect(flag('--api-token')).toBe('tok');
    expect(args.join(' ')).toContain('--enroll-secret eng:eng');
  });

  it('command-line overrides patch the scenario before validation', () => {
    const doc: Record<string, unknown> = { hosts: 10, server: { stats: { interval: '5s' } } };
    expect(applyOverrides(doc, { hosts: '20', strategy: 'cron,realtime', store: 'memory' })).toEqual([]);
    expect(doc).toMatchObject({ hosts: 20, server: { store: 'memory', stats: { interval: '5s', strategy: ['cron', 'realtime'] } } });
    expect(applyOverrides({}, { hosts: 'x', strategy: 'crom' })).toEqual([
      { path: '--hosts', message: 'must be a whole number, got "x"' },
      { path: '--strategy', message: 'crom: expected cron, realtime, incremental' },
    ]);
  });
});
