/**
 * `--duration` shorter than the scenario's timeline: the run goes ahead, the later events are
 * skipped with a notice, the plan lists them as skipped and the result records them.
 */
import { timelineResult } from '../../reports/timeline.js';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { planCommand } from '../../cli/scenario.js';
import { runCommand } from '../../cli/run.js';
import { EXIT } from '../../lib/exit-codes.js';
import type { ResultDocument } from '../../contract/result.js';
import { planScenario } from '../../scenarios/plan.js';
import { parseScenarioText, readScenario } from '../../scenarios/read.js';
import { skippedRecords } from '../../scenarios/runner.js';

const TINY = join(import.meta.dirname, 'fixtures', 'tiny.yaml');

describe('a --duration shorter than the timeline', () => {
  it('reads the scenario with the later events skipped and says so', () => {
    const result = readScenario('quickstart', { overrides: { duration: '20s' } });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const { scenario } = result;
    expect(scenario.duration).toBe(20_000);
    expect(scenario.timeline).toEqual([]);
    expect(scenario.skipped_timeline!.map((e) => [e.kind, e.at])).toEqual([['add_policies', 60_000], ['refetch_hosts', 80_000]]);
    expect(result.notes).toContain('--duration 20s ends the run before 2 timeline events; skipped: add_policies at 1m, refetch_hosts at 1m20s');
  });

  it('keeps the warm-up\'s share of the run when the warm-up no longer fits, with a note', () => {
    const result = readScenario('quickstart', { overrides: { duration: '20s' } });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.scenario.warmup).toBe(7000); // 40s of 2m → a third of 20s, in whole seconds
    expect(result.notes).toContain('warm-up shortened from 40s to 7s to fit --duration 20s (the same share of the run; set --warmup to choose)');
    const chosen = readScenario('quickstart', { overrides: { duration: '20s', warmup: '2s' } });
    expect(chosen.ok && chosen.scenario.warmup).toBe(2000);
  });

  it('cuts a ramp short and skips the later ones instead of refusing the hosts it no longer reaches', () => {
    const text = [
      'hosts: 100',
      'duration: 2m',
      'fleet: { groups: [ { name: mac, weight: 1, platform: darwin, os_version: "14" } ] }',
      'timeline: [ { at: 0s, ramp_hosts: { to: 50, over: 30s } }, { at: 60s, ramp_hosts: { to: 100, over: 10s } } ]',
    ].join('\n');
    const result = parseScenarioText(text, 'ramps.yaml', { overrides: { duration: '20s' } });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.scenario.timeline.map((e) => e.at)).toEqual([0]);
    expect(result.scenario.skipped_timeline!.map((e) => e.at)).toEqual([60_000]);
  });

  it('is still refused when the scenario file itself ends before its timeline', () => {
    const result = parseScenarioText('hosts: 10\nduration: 30s\nfleet: { groups: [ { name: m, count: 10, platform: darwin, os_version: "14" } ] }\ntimeline: [ { at: 40s, refetch_hosts: { percent: 10 } } ]\n', 'short.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => `${i.path} ${i.message}`)).toEqual(['timeline[0].at is at or after the end of the run (duration 30s)']);
  });

  it('shows the skipped events in the plan', () => {
    const result = readScenario('quickstart', { overrides: { duration: '20s' } });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(planScenario(result.scenario).events).toEqual([
      { t: 60, kind: 'add_policies', effect: 'skipped: after the end of the run (20s)', skipped: true },
      { t: 80, kind: 'refetch_hosts', effect: 'skipped: after the end of the run (20s)', skipped: true },
    ]);
    const out: string[] = [];
    const err: string[] = [];
    expect(planCommand('quickstart', false, (t) => out.push(t), (t) => err.push(t), { duration: '20s' })).toBe(EXIT.OK);
    expect(out.join('')).toMatch(/60s {2}add_policies +skipped: after the end of the run \(20s\)/);
    expect(err.join('')).toContain('skipped: add_policies at 1m, refetch_hosts at 1m20s');
  });

  it('records the skipped events in the result as not applied', () => {
    const result = readScenario('quickstart', { overrides: { duration: '20s' } });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(skippedRecords(result.scenario)).toEqual([
      { t: 60, kind: 'add_policies', detail: 'not applied: due at 60s, after the end of the run', ok: false, skipped: true, error: 'the run ends at 20s (--duration)' },
      { t: 80, kind: 'refetch_hosts', detail: 'not applied: due at 80s, after the end of the run', ok: false, skipped: true, error: 'the run ends at 20s (--duration)' },
    ]);
  });

  it('runs end to end: the events before the end are applied, the later ones are skipped with a notice', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'osqsim-duration-'));
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCommand(TINY, { out: outDir, quiet: true, duration: '10s' }, (t) => out.push(t), (t) => err.push(t));
    expect(err.join('')).toContain('osqsim run: --duration 10s ends the run before 2 timeline events; skipped: edit_policies at 11s, store_unavailable at 13s');
    expect(code).toBe(EXIT.THRESHOLDS_FAILED); // tiny's impossible threshold; the run itself went ahead
    const resultFile = /result: (.+result\.json)/.exec(out.join(''))![1]!;
    const doc = JSON.parse(readFileSync(resultFile, 'utf8')) as ResultDocument;
    expect(doc.run.duration_s).toBeLessThan(12);
    expect(doc.timeline!.map((e) => [e.kind, timelineResult(e)])).toEqual([
      ['add_policies', 'ok'],
      ['refetch_hosts', 'ok'],
      ['edit_policies', 'skipped: the run ends at 10s (--duration)'],
      ['store_unavailable', 'skipped: the run ends at 10s (--duration)'],
    ]);
    expect(readFileSync(join(dirname(resultFile), 'summary.md'), 'utf8')).toContain('| skipped: the run ends at 10s (--duration) |');
  }, 90_000);
});
