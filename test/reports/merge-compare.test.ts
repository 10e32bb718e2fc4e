import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeResults } from '../../reports/merge.js';
import { compareResults } from '../../reports/compare.js';
import { compareCommand, mergeCommand, parseFraction, renderCommand } from '../../cli/report.js';
import { EXIT } from '../../lib/exit-codes.js';
import { spread, syntheticResult } from './fixture.js';
import type { ResultDocument } from '../../contract/result.js';

describe('merge', () => {
  it('shards of one run: the run\'s hosts once (each shard records the total), the same shard twice is refused', () => {
    const shard = (index: number, count = 2) => {
      const doc = syntheticResult({ hosts: 300 });
      doc.run.shard = { index, count };
      return doc;
    };
    const merged = mergeResults([shard(0), shard(1)]);
    expect(merged.run.hosts).toBe(300);
    expect(merged.endpoints.read!.count).toBe(2 * shard(0).endpoints.read!.count);
    expect(() => mergeResults([shard(0), shard(0)])).toThrow(/shard 0\/2 again/);
    expect(() => mergeResults([shard(0), shard(1, 3)])).toThrow(/not the same run/);
    expect(() => mergeResults([shard(0), shard(0)])).toThrow(expect.objectContaining({ code: 'RESULT_MERGE_INVALID' }));
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-merge-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(shard(0)));
    const err: string[] = [];
    expect(mergeCommand([join(dir, 'a.json'), join(dir, 'a.json')], join(dir, 'out.json'), () => undefined, (t) => err.push(t))).toBe(2);
    expect(err.join('')).toMatch(/shard 0\/2 again/);
  });

  it('refuses shards of different runs, seeds or host counts, and a whole run mixed with shards, with a clear message (exit 2)', () => {
    const shard = (index: number, run: Partial<ResultDocument['run']> = {}) => {
      const doc = syntheticResult({ hosts: 300 });
      Object.assign(doc.run, { shard: { index, count: 2 }, seed: 7, run_id: 'run-a' }, run);
      return doc;
    };
    expect(mergeResults([shard(0), shard(1)]).run.run_id).toBe('run-a');
    expect(() => mergeResults([shard(0), shard(1, { run_id: 'run-b' })])).toThrow(/input 2 belongs to run run-b, input 1 to run run-a: start every shard with the same --start-at/);
    expect(() => mergeResults([shard(0), shard(1, { seed: 8 })])).toThrow(/input 2 has seed 8, input 1 seed 7/);
    expect(() => mergeResults([shard(0), shard(1, { hosts: 400 })])).toThrow(/400-host run, input 1 of a 300-host run/);
    const whole = syntheticResult({ hosts: 300 });
    expect(() => mergeResults([shard(0), whole])).toThrow(/input 2 is a whole run/);
    // A result written before run ids existed is not silently taken for a shard of this run.
    const old = shard(1);
    delete old.run.run_id;
    expect(() => mergeResults([shard(0), old])).toThrow(/none: older osqsim/);
    // Old results without run ids still merge with each other.
    const oldA = shard(0);
    delete oldA.run.run_id;
    expect(mergeResults([oldA, old]).run.hosts).toBe(300);
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-merge-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(shard(0)));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(shard(1, { run_id: 'run-b' })));
    const err: string[] = [];
    expect(mergeCommand([join(dir, 'a.json'), join(dir, 'b.json')], join(dir, 'out.json'), () => undefined, (t) => err.push(t))).toBe(EXIT.INVALID_INPUT);
    expect(err.join('')).toMatch(/cannot merge these results: input 2 belongs to run run-b/);
    expect(() => readFileSync(join(dir, 'out.json'))).toThrow();
  });

  it('merges shard histograms exactly: percentiles equal those of one run with all samples', () => {
    const a = spread(500, 1, 50);
    const b = spread(500, 40, 400);
    const merged = mergeResults([syntheticResult({ readLatencies: a, hosts: 50 }), syntheticResult({ readLatencies: b, hosts: 70 })]);
    const whole = syntheticResult({ readLatencies: [...a, ...b] });
    expect(merged.endpoints.read!.count).toBe(1000);
    expect(merged.endpoints.read!.latency_ms).toEqual(whole.endpoints.read!.latency_ms);
    expect(merged.run.hosts).toBe(120);
    expect(merged.endpoints.read!.outcomes['2xx']).toBe(1000);
  });

  it('adds counts, windows and ground truth; keeps the server counts once', () => {
    const merged = mergeResults([syntheticResult(), syntheticResult()]);
    expect(merged.windows[5]!.endpoints.read!.count).toBe(34);
    expect(merged.checkins.scheduled).toBe(2000);
    const firewall = merged.policies.find((p) => p.id === 2)!;
    expect(firewall.truth).toEqual({ passing: 120, failing: 80, unknown: 0 });
    expect(firewall.server).toEqual({ passing: 58, failing: 42, updated_at: '2026-11-26T14:00:50Z' });
    expect(firewall.count_error).toBe(62 + 38);
    expect(merged.aggregations).toHaveLength(2);
  });

  it('adds the agents\' failure-rule counts (a shard without them counts 0; none at all: no block)', () => {
    const a = syntheticResult();
    const b = syntheticResult();
    a.agents = { write_results_retained: 5, write_results_resent: 4, write_results_dropped: 1, enroll_gave_up: 0, crashes: 2, crash_results_lost: 0, denylisted_answers: 3, batches_aborted: 0, log_lines_purged: 7, orbit_reenrolls: 0 };
    expect(mergeResults([a, b]).agents).toEqual(a.agents);
    b.agents = { ...a.agents };
    expect(mergeResults([a, b]).agents!.write_results_retained).toBe(10);
    expect(mergeResults([syntheticResult(), syntheticResult()]).agents).toBeUndefined();
  });

  it('refuses documents that are not results', () => {
    expect(() => mergeResults([{ schema: 'nope' } as never, syntheticResult()])).toThrow(/not an osqsim\.result\/v1/);
  });

  it('osqsim report merge writes the merged file and re-evaluates the thresholds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-merge-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(syntheticResult()));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(syntheticResult({ readLatencies: spread(100, 300, 900) })));
    const out: string[] = [];
    expect(mergeCommand([join(dir, 'a.json'), join(dir, 'b.json')], join(dir, 'm.json'), (t) => out.push(t), () => undefined)).toBe(EXIT.OK);
    const merged = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
    expect(merged.endpoints.read.count).toBe(1100);
    expect(merged.thresholds).toEqual([{ expr: 'read.p99 < 200ms', value: merged.endpoints.read.latency_ms.p99, ok: false }]);
  });
});

describe('compare', () => {
  it('flags a latency regression beyond the limit and nothing else', () => {
    const base = syntheticResult({ readLatencies: spread(1000, 1, 100) });
    const slower = syntheticResult({ readLatencies: spread(1000, 1, 150) });
    const result = compareResults(base, slower, 0.1);
    expect(result.regressions.map((r) => r.metric)).toEqual(['read.p50', 'read.p90', 'read.p99', 'read.p999']);
    expect(compareResults(base, base, 0.1).regressions).toEqual([]);
    expect(compareResults(base, slower, 0.6).regressions).toEqual([]);
  });

  it('ignores sub-millisecond noise (absolute floor)', () => {
    const base = syntheticResult({ readLatencies: spread(1000, 0.1, 0.4) });
    const next = syntheticResult({ readLatencies: spread(1000, 0.1, 0.6) });
    expect(compareResults(base, next, 0.1).regressions).toEqual([]);
  });

  it('osqsim report compare exits 3 on a regression and 0 otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-compare-'));
    writeFileSync(join(dir, 'base.json'), JSON.stringify(syntheticResult()));
    writeFileSync(join(dir, 'new.json'), JSON.stringify(syntheticResult({ writeLatencies: spread(200, 5, 600) })));
    const out: string[] = [];
    expect(compareCommand(join(dir, 'base.json'), join(dir, 'new.json'), '10%', false, (t) => out.push(t), () => undefined)).toBe(EXIT.THRESHOLDS_FAILED);
    expect(out.join('')).toMatch(/write\.p99 .* REGRESSION/);
    expect(compareCommand(join(dir, 'base.json'), join(dir, 'base.json'), '10%', false, () => undefined, () => undefined)).toBe(EXIT.OK);
    expect(compareCommand(join(dir, 'base.json'), join(dir, 'new.json'), 'lots', false, () => undefined, () => undefined)).toBe(EXIT.INVALID_INPUT);
    expect(compareCommand(join(dir, 'missing.json'), join(dir, 'new.json'), '10%', false, () => undefined, () => undefined)).toBe(EXIT.INVALID_INPUT);
  });

  it('parses regression limits', () => {
    expect(parseFraction('10%')).toBeCloseTo(0.1);
    expect(parseFraction('0.25')).toBeCloseTo(0.25);
    expect(parseFraction('15')).toBeCloseTo(0.15);
    expect(parseFraction('x')).toBeUndefined();
  });
});

describe('osqsim report RESULT.json', () => {
  it('re-renders summary.md and report.html beside the result', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-render-'));
    writeFileSync(join(dir, 'result.json'), JSON.stringify(syntheticResult()));
    expect(renderCommand(join(dir, 'result.json'), undefined, () => undefined, () => undefined)).toBe(EXIT.OK);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('# osqsim run: synthetic');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('id="osqsim-data"');
    writeFileSync(join(dir, 'bad.json'), '{"schema":"other"}');
    expect(renderCommand(join(dir, 'bad.json'), undefined, () => undefined, () => undefined)).toBe(EXIT.INVALID_INPUT);
  });
});
