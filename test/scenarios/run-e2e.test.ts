/**
 * `osqsim run` end to end: a real server process, the simulator's workers, timeline events, and the
 * three report files — on the memory store and on MySQL.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../cli/run.js';
import { EXIT } from '../../lib/exit-codes.js';
import { extractReportData } from '../../reports/html.js';
import type { ResultDocument } from '../../contract/result.js';
import { describeMysql } from '../helpers/mysql.js';
import { ServerProcess } from '../../scenarios/harness/server-process.js';
import { runScenario } from '../../scenarios/runner.js';
import { parseScenarioText } from '../../scenarios/read.js';

const TINY = join(import.meta.dirname, 'fixtures', 'tiny.yaml');

async function run(flags: Record<string, string | boolean>, scenario = TINY): Promise<{ code: number; out: string; err: string; dir: string; doc: ResultDocument; html: string; summary: string }> {
  const outDir = mkdtempSync(join(tmpdir(), 'osqsim-run-'));
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand(scenario, { out: outDir, ...flags }, (t) => out.push(t), (t) => err.push(t));
  const reportLine = /report: (.+report\.html)/.exec(out.join(''));
  if (!reportLine) throw new Error(`no report printed (exit ${code}):\n${out.join('')}\n${err.join('')}`);
  const dir = reportLine[1]!.replace(/[\\/]report\.html$/, '');
  return {
    code,
    out: out.join(''),
    err: err.join(''),
    dir,
    doc: JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as ResultDocument,
    html: readFileSync(join(dir, 'report.html'), 'utf8'),
    summary: readFileSync(join(dir, 'summary.md'), 'utf8'),
  };
}

function checkRun(r: Awaited<ReturnType<typeof run>>, store: RegExp): void {
  expect(r.dir).toMatch(/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-tiny$/);
  for (const f of ['result.json', 'summary.md', 'report.html']) expect(existsSync(join(r.dir, f))).toBe(true);
  // The HTML carries exactly the numbers of result.json.
  expect(extractReportData(r.html).result).toEqual(r.doc);
  expect(r.doc.run.store).toMatch(store);
  // The server ran with Fleet's behaviour for edited policies, and the result says so.
  expect(r.doc.run.edited_policies).toBe('fleet');
  expect(r.doc.endpoints.read!.count).toBeGreaterThan(100);
  expect(r.doc.endpoints.write!.count).toBeGreaterThan(40);
  expect(r.summary).toContain(`| read | ${r.doc.endpoints.read!.count.toLocaleString('en-US')} |`);
  // The plan and the run agree on the read rate: 40 hosts every 2 s (the loop adds each response time).
  expect(r.doc.plan!.rates.read).toBe(20);
  // t = 0 is when the simulator's workers are ready: no host is due while they load (a start time fixed
  // before that made every host due during the load start late and at once, a herd for the whole run).
  const enrollMax = Math.max(...r.doc.windows.map((w) => w.endpoints.enroll?.max ?? 0));
  expect(enrollMax).toBeLessThan(1000);
  expect(r.doc.endpoints.read!.rate_per_s).toBeGreaterThan(20 * 0.7);
  expect(r.doc.endpoints.read!.rate_per_s).toBeLessThan(20 * 1.1);
  // Timeline applied through the API.
  expect(r.doc.timeline!.map((e) => [e.kind, e.ok])).toEqual([['add_policies', true], ['refetch_hosts', true], ['edit_policies', true], ['store_unavailable', true]]);
  expect(r.doc.timeline![1]!.detail).toMatch(/refetch requested for 20 of 40 hosts/);
  // The server was sampled and the counts were scored against the truth.
  expect(r.doc.server!.samples.length).toBeGreaterThan(5);
  expect(r.doc.server!.samples.some((s) => (s.membership_writes_per_s ?? 0) > 0)).toBe(true);
  expect(r.doc.counts!.samples.length).toBeGreaterThan(5);
  expect(r.doc.aggregations.length).toBeGreaterThan(2);
  const firewall = r.doc.policies.find((p) => p.name === 'Firewall')!;
  expect(firewall.truth.passing).toBe(30);
  expect(firewall.server).toMatchObject({ passing: 30, failing: 0 });
  expect(r.doc.policies.filter((p) => p.server)).toHaveLength(4);
  // Thresholds: the impossible one fails, the others hold.
  expect(r.doc.thresholds.map((t) => [t.expr, t.ok])).toEqual([
    ['errors.rate < 10%', true],
    ['counts.error.max == 0', true],
    ['read.p99 < 0.001ms', false],
  ]);
  expect(r.code).toBe(EXIT.THRESHOLDS_FAILED);
  expect(r.err).toContain('thresholds failed (exit 3)');
}

describe('osqsim run (memory store)', () => {
  it('runs the tiny scenario end to end, writes the report and exits 3 on a failed threshold', async () => {
    checkRun(await run({ quiet: true }), /^memory$/);
  }, 90_000);

  it('restarts the server mid-run (hosts re-enroll, policies re-applied) and moves hosts between teams', async () => {
    const r = await run({ quiet: true }, join(import.meta.dirname, 'fixtures', 'tiny-restart.yaml'));
    expect(r.doc.timeline!.map((e) => [e.kind, e.ok])).toEqual([['restart_server', true], ['move_hosts', true]]);
    expect(r.doc.timeline![0]!.detail).toMatch(/memory store empty: 2 policies re-applied/);
    // Half of the hosts that re-enrolled by then (normally all 30).
    const moved = Number(/moved (\d+) hosts to sales/.exec(r.doc.timeline![1]!.detail)?.[1]);
    expect(moved).toBeGreaterThan(0);
    expect(r.doc.endpoints.enroll!.count).toBeGreaterThanOrEqual(30); // the re-enroll wave after the restart
    const firewall = r.doc.policies.find((p) => p.name === 'Firewall')!;
    expect(firewall.server).toMatchObject({ passing: 30, failing: 0 });
    // The truth cannot follow hosts between teams: team policies are reported, not scored, after the move.
    expect(r.doc.policies.find((p) => p.name === 'Sales only')!.unscored).toMatch(/not scored after \d+ hosts moved team/);
    expect(firewall.unscored).toBeUndefined();
    expect(r.code).toBe(EXIT.OK);
  }, 90_000);

  it('exits 2 on an invalid scenario or flag, before starting anything', async () => {
    const out: string[] = [];
    expect(await runCommand(TINY, { hosts: 'lots' }, (t) => out.push(t), (t) => out.push(t))).toBe(EXIT.INVALID_INPUT);
    expect(await runCommand(join(import.meta.dirname, 'fixtures', 'bad-policies.yml'), {}, (t) => out.push(t), (t) => out.push(t))).toBe(EXIT.INVALID_INPUT);
    expect(await runCommand('no-such-scenario', {}, (t) => out.push(t), (t) => out.push(t))).toBe(EXIT.INVALID_INPUT);
    expect(await runCommand(TINY, { connections: 'some' }, (t) => out.push(t), (t) => out.push(t))).toBe(EXIT.INVALID_INPUT);
    expect(out.join('')).toContain('--hosts must be a whole number');
    expect(out.join('')).toContain('--connections must be elastic or a whole number ≥ 1, got "some"');
  });
});

describe('osqsim run against a target (a server someone else runs)', () => {
  it('drives the target, applies policy events through its API and scores its counts', async () => {
    const server = new ServerProcess({ port: 0, args: ['--api-token', 'target-token', '--enroll-secret', 'osqsim', '--policy-update-interval', '4s', '--stats-strategy', 'realtime', '--log-level', 'warn'] });
    const url = await server.start();
    try {
      const loaded = parseScenarioText(
        [
          'name: tiny-target',
          'hosts: 20',
          'duration: 14s',
          'warmup: 3s',
          `target: { url: "${url}", api_token: target-token }`,
          'agent: { distributed_interval: 2s, start_period: 2s }',
          'fleet: { groups: [ { name: mac, count: 20, platform: darwin, os_version: "14.4.1", tables: { alf: [ { global_state: 1 } ] } } ] }',
          'policies: [ { name: Firewall, query: "SELECT 1 FROM alf WHERE global_state = 1;" } ]',
          'timeline: [ { at: 6s, refetch_hosts: { percent: 50 } } ]',
          'thresholds: [ "counts.error.max == 0", "errors.rate < 1%" ]',
        ].join('\n'),
        join(import.meta.dirname, 'fixtures', 'target.yaml'),
      );
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
      const outcome = await runScenario({ scenario: loaded.scenario, outDir: mkdtempSync(join(tmpdir(), 'osqsim-target-')) });
      const doc = outcome.runs[0]!.doc;
      expect(doc.run.store).toBe('external');
      expect(doc.run.target).toEqual([url]);
      expect(doc.server).toBeUndefined(); // not our process: no CPU/RSS samples
      expect(doc.timeline!.map((e) => [e.kind, e.ok])).toEqual([['refetch_hosts', true]]);
      expect(doc.policies.find((p) => p.name === 'Firewall')!.server).toMatchObject({ passing: 20, failing: 0 });
      expect(doc.thresholds.every((t) => t.ok)).toBe(true);
      expect(outcome.exitCode).toBe(EXIT.OK);
    } finally {
      await server.stop();
    }
  }, 90_000);
});

describeMysql('osqsim run (MySQL store)', (db) => {
  it('runs the tiny scenario end to end on MySQL', async () => {
    checkRun(await run({ quiet: true, store: db.url }), /^mysql:\/\/root(:\*\*\*)?@127\.0\.0\.1/);
  }, 90_000);
});
