import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseScenarioText } from '../../scenarios/read.js';
import { editedQuery, hostsAt, planScenario, selectPolicies, formatPlan } from '../../scenarios/plan.js';
import type { Scenario } from '../../scenarios/schema/scenario.js';
import { planCommand } from '../../cli/scenario.js';
import { EXIT } from '../../lib/exit-codes.js';

function scenario(extra: Record<string, unknown> = {}): Scenario {
  const result = parseScenarioText(
    stringify({
      name: 'plan',
      hosts: 1000,
      duration: '10m',
      agent: { distributed_interval: '10s', config_refresh: '60s', start_period: '0s', status_lines_per_hour: 0, startup_status_lines: 0 },
      server: { policy_update_interval: '60s', detail_update_interval: '60s', max_jitter_percent: 10 },
      fleet: {
        groups: [
          { name: 'mac', weight: 3, platform: 'darwin', os_version: '14' },
          { name: 'win', weight: 1, platform: 'windows', os_version: '10' },
        ],
      },
      policies: [
        { name: 'all platforms', query: 'SELECT 1;' },
        { name: 'mac only', query: 'SELECT 1;', platform: 'darwin' },
        { name: 'windows only', query: 'SELECT 1;', platform: 'windows' },
      ],
      ...extra,
    }),
    'plan.yaml',
  );
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.scenario;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('plan arithmetic', () => {
  const plan = planScenario(scenario());

  it('reads: hosts ÷ distributed_interval; config: hosts ÷ config_refresh', () => {
    const steady = plan.points[300]!;
    expect(steady.hosts).toBe(1000);
    expect(steady.rates.read).toBe(100);
    expect(steady.rates.config).toBeCloseTo(1000 / 60, 1);
    expect(steady.rates.log).toBe(0);
  });

  it('writes average hosts ÷ (policy interval + half a read interval) once the fleet is in its cycle', () => {
    const window = plan.points.slice(95, 550).map((p) => p.rates.write);
    expect(mean(window)).toBeCloseTo(1000 / 65, 0);
  });

  it('membership writes per second = writes × policies in scope (platform scoping)', () => {
    // 750 macs × 2 policies + 250 windows × 2 policies per cycle.
    const window = plan.points.slice(95, 550); // exactly 7 cycles of 65 s
    expect(mean(window.map((p) => p.membership_writes_per_s))).toBeCloseTo((750 * 2 + 250 * 2) / 65, 0);
  });

  it('rows in policy_membership = hosts × policies in scope', () => {
    expect(plan.final.membership_rows).toBe(750 * 2 + 250 * 2);
    expect(plan.groups.map((g) => [g.name, g.hosts, g.policies_in_scope])).toEqual([['mac', 750, 2], ['win', 250, 2]]);
  });

  it('vitals: every detail write carries the group\'s software, users and single-row vitals', () => {
    const withTables = planScenario(scenario({
      fleet: {
        groups: [
          { name: 'mac', weight: 3, platform: 'darwin', os_version: '14', tables: {
            apps: [{ name: 'A.app' }, { name: 'B.app' }], homebrew_packages: [{ name: 'git' }], users: [{ uid: 501, username: 'a' }], battery: [{ serial_number: 'B1' }],
          } },
          { name: 'win', weight: 1, platform: 'windows', os_version: '10', tables: { programs: [{ name: 'P' }], users: [{ uid: 1, username: 'u' }, { uid: 2, username: 'v' }] } },
        ],
      },
    }));
    // mac: 3 software + 1 user + 6 single-row + 1 battery; win: 1 software + 2 users + 6.
    expect(withTables.groups.map((g) => [g.name, g.vitals_rows_per_write, g.software_rows_per_host])).toEqual([['mac', 11, 3], ['win', 9, 1]]);
    expect(withTables.points[0]!.vitals_rows_per_s).toBe(750 * 11 + 250 * 9);
    const window = withTables.points.slice(95, 550); // 7 detail cycles of 65 s (detail interval = policy interval)
    expect(mean(window.map((p) => p.vitals_writes_per_s))).toBeCloseTo(1000 / 65, 0);
    expect(mean(window.map((p) => p.vitals_rows_per_s))).toBeCloseTo((750 * 11 + 250 * 9) / 65, 0);
    expect(formatPlan(withTables)).toContain('vitals rows/s');
  });

  it('vitals follow detail_update_interval, not the policy interval', () => {
    const slow = planScenario(scenario({ server: { policy_update_interval: '60s', detail_update_interval: '300s', max_jitter_percent: 10 } }));
    // After the first writes (t = 0): one detail cycle (at 300 s, 5 min < one jitter minute bucket) in
    // 1..600 s, against a policy write every 65 s.
    const window = slow.points.slice(1, 601);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    expect(sum(window.map((p) => p.vitals_writes_per_s))).toBeCloseTo(1000, -1);
    expect(sum(window.map((p) => p.rates.write))).toBeGreaterThan(8 * 1000);
  });

  it('every host writes right after it enrolls (due everything)', () => {
    expect(plan.points[0]!.rates.enroll).toBe(1000);
    expect(plan.points[0]!.rates.write).toBe(1000);
  });

  it('jitter buckets follow Fleet: 10% of a 1 h interval = 6 buckets of a minute', () => {
    const hourly = planScenario(scenario({ server: { policy_update_interval: '1h', detail_update_interval: '1h' } }));
    expect(hourly.cycle.jitter_buckets).toBe(6);
    expect(hourly.cycle.mean_cycle_s).toBe(3600 + 2.5 * 60 + 5);
  });

  // Fleet (modifyPolicy): an edit wipes the policy's rows; hosts re-run it at their next policy run.
  it('an edit wipes the policy\'s rows and causes no herd: hosts re-run it at their next policy run (as Fleet)', () => {
    const server = { policy_update_interval: '1h', detail_update_interval: '1h', max_jitter_percent: 0 };
    const timeline = [{ at: '5m', edit_policies: { names: ['mac only'] } }];
    const edited = planScenario(scenario({ server, timeline }));
    const plain = planScenario(scenario({ server }));
    const writes = (plan: typeof edited) => plan.points.slice(300, 310).reduce((sum, p) => sum + p.rates.write, 0);
    expect(writes(edited)).toBeCloseTo(writes(plain), 6);
    expect(edited.points[299]!.membership_rows).toBe(2000);
    expect(edited.points[300]!.membership_rows).toBeLessThan(2000);
    expect(edited.points[320]!.membership_rows).toBeLessThan(2000);
    expect(edited.events[0]!.effect).toMatch(/next policy run/);
  });

  it('with edited_policies: immediate (the what-if) an edit makes every host in scope write within one read interval', () => {
    const server = { policy_update_interval: '1h', detail_update_interval: '1h', max_jitter_percent: 0 };
    const edited = planScenario(scenario({ server: { ...server, edited_policies: 'immediate' }, timeline: [{ at: '5m', edit_policies: { names: ['mac only'] } }] }));
    const plain = planScenario(scenario({ server }));
    const herd = edited.points.slice(300, 310).reduce((sum, p) => sum + p.rates.write, 0);
    expect(herd).toBeCloseTo(750, 0);
    expect(edited.points[299]!.membership_rows).toBe(2000);
    expect(edited.points[300]!.membership_rows).toBeLessThan(2000);
    expect(edited.points[320]!.membership_rows).toBe(2000);
    // The answers do not move the hosts' policy timers: afterwards the writes are those of a run without the edit.
    const later = (plan: typeof edited) => plan.points.slice(330).map((p) => p.rates.write);
    expect(later(edited)).toEqual(later(plain));
  });

  it('a rollout reaches hosts at their next policy run, not at once', () => {
    const rollout = planScenario(scenario({ timeline: [{ at: '5m', add_policies: { count: 10 } }] }));
    expect(rollout.points[300]!.policies).toBe(13);
    expect(rollout.points[301]!.membership_rows).toBeLessThan(rollout.points[380]!.membership_rows);
    expect(rollout.final.membership_rows).toBe(2000 + 1000 * 10);
  });

  it('a restart on the memory store is a re-enroll wave', () => {
    const restart = planScenario(scenario({ timeline: [{ at: '5m', restart_server: { down_for: '10s' } }] }));
    const wave = restart.points.slice(310, 320).reduce((sum, p) => sum + p.rates.enroll, 0);
    expect(wave).toBeCloseTo(1000, 0);
  });

  it('ramps: hosts follow the timeline; without ramps, the start period', () => {
    const ramped = scenario({ timeline: [{ at: '0s', ramp_hosts: { to: 400, over: '40s' } }, { at: '2m', ramp_hosts: { to: 1000, over: '60s' } }] });
    expect([0, 20_000, 40_000, 100_000, 150_000, 180_000, 500_000].map((t) => hostsAt(ramped, t))).toEqual([0, 200, 400, 400, 700, 1000, 1000]);
    const spread = scenario({ agent: { start_period: '100s' } });
    expect([0, 50_000, 100_000].map((t) => hostsAt(spread, t))).toEqual([0, 500, 1000]);
  });

  it('edit and delete choose the same policies in the plan and the run', () => {
    const list = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
    expect(selectPolicies({ kind: 'edit_policies', count: 2 }, list).map((p) => p.name)).toEqual(['a', 'b']);
    expect(selectPolicies({ kind: 'delete_policies', count: 2 }, list).map((p) => p.name)).toEqual(['c', 'b']);
    expect(selectPolicies({ kind: 'edit_policies', names: ['c'] }, list).map((p) => p.name)).toEqual(['c']);
    expect(selectPolicies({ kind: 'edit_policies' }, list)).toHaveLength(3);
    expect(editedQuery('SELECT 1;', { at: 90_000 })).toBe('SELECT 1 /* osqsim edit 90s */');
    expect(editedQuery('SELECT 1;', { at: 90_000, query: 'SELECT 2;' })).toBe('SELECT 2;');
  });

  it('prints a table and its assumptions; osqsim scenario plan exits 2 on an invalid file', () => {
    const text = formatPlan(plan);
    expect(text).toMatch(/read\/s/);
    expect(text).toMatch(/membership rows/);
    expect(text).toMatch(/Assumptions:/);
    const out: string[] = [];
    expect(planCommand('does-not-exist.yaml', false, (t) => out.push(t), (t) => out.push(t))).toBe(EXIT.INVALID_INPUT);
    expect(planCommand(new URL('../../scenarios/quickstart.yaml', import.meta.url).pathname, true, (t) => out.push(t), () => undefined)).toBe(EXIT.OK);
    expect(JSON.parse(out[out.length - 1]!).hosts).toBe(1500);
  });
});

describe('plan: label and scheduled-query traffic', () => {
  const withLibrary = () =>
    scenario({
      server: { policy_update_interval: '60s', detail_update_interval: '60s', label_update_interval: '60s', max_jitter_percent: 0 },
      fleet: {
        groups: [
          { name: 'mac', weight: 3, platform: 'darwin', os_version: '14', tables: { apps: [{ name: 'a' }, { name: 'b' }] } },
          { name: 'win', weight: 1, platform: 'windows', os_version: '10' },
        ],
      },
      labels: [
        { name: 'mac apps', query: 'SELECT 1 FROM apps;', platform: 'darwin' },
        { name: 'vip', label_membership_type: 'manual' },
      ],
      reports: [
        { name: 'apps', query: 'SELECT * FROM apps;', interval: 30, logging: 'snapshot' },
        { name: 'apps diff', query: 'SELECT * FROM apps;', interval: 30, logging: 'differential' },
        { name: 'win only', query: 'SELECT 1;', interval: 10, platform: 'windows' },
      ],
    });

  it('counts each group\'s label queries (built-ins + its dynamic labels) and reports in scope', () => {
    const plan = planScenario(withLibrary());
    const [mac, win] = plan.groups;
    expect(mac!.label_queries_per_host - win!.label_queries_per_host).toBe(1); // the darwin label; manual labels run nothing
    // In the config: mac gets the two global reports; windows those two (they fail there: no apps table) and its own.
    expect([mac!.reports_in_scope, win!.reports_in_scope]).toEqual([2, 3]);
  });

  it('puts label queries and result rows in the steady state, and none without labels or reports', () => {
    const plan = planScenario(withLibrary());
    const late = plan.points.slice(300);
    // Steady: every host runs its labels once per cycle (60 s + half a read interval).
    const labels = 750 * plan.groups[0]!.label_queries_per_host + 250 * plan.groups[1]!.label_queries_per_host;
    expect(mean(late.map((p) => p.label_queries_per_s))).toBeCloseTo(labels / 65, 0);
    // Snapshot rows: 750 mac hosts × 2 rows / 30 s; the windows report: 250 × 1 row / 10 s.
    expect(mean(late.map((p) => p.log_result_rows_per_s))).toBeCloseTo(750 * 2 / 30 + 250 / 10, 1);
    expect(mean(late.map((p) => p.log_result_lines_per_s))).toBeCloseTo(750 / 30 + 250 / 10, 1);
    // The differential report's rows arrive once, with the hosts' first runs.
    expect(plan.points[0]!.log_result_rows_per_s).toBeGreaterThan(750 * 2);
    expect(formatPlan(plan)).toMatch(/label q\/s\s+result rows\/s/);
    const bare = planScenario(scenario());
    expect(bare.final.log_result_rows_per_s).toBe(0);
    expect(bare.final.label_queries_per_s).toBeGreaterThan(0); // the built-in labels still run
  });
});
