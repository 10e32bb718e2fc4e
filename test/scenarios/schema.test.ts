import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseScenarioText, readScenario, readScenarioDocument, type ReadResult } from '../../scenarios/read.js';
import { validateCommand } from '../../cli/scenario.js';
import { EXIT } from '../../lib/exit-codes.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

function base(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'test',
    hosts: 100,
    duration: '2m',
    fleet: { groups: [{ name: 'mac', count: 100, platform: 'darwin', os_version: '14.4.1' }] },
    ...extra,
  };
}

function check(doc: unknown): ReadResult {
  return parseScenarioText(stringify(doc), join(FIXTURES, 'scenario.yaml'));
}

function issues(doc: unknown): string[] {
  const result = check(doc);
  if (result.ok) return [];
  return result.issues.map((i) => `${i.path} ${i.message}`);
}

describe('scenario schema: one error class at a time', () => {
  it('accepts a minimal scenario and fills the harness defaults', () => {
    const result = check(base());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.scenario.server).toMatchObject({ store: 'memory', stats: { strategy: 'cron', interval: 3_600_000 } });
    expect(result.scenario.timeline).toEqual([]);
    expect(result.scenario.thresholds).toEqual([]);
    expect(result.scenario.simulator).toEqual({ processes: 1, connections: 'elastic' });
  });

  it('simulator: elastic or a fixed pool, and a known transport', () => {
    const fixed = check(base({ simulator: { connections: 64, transport: 'undici' } }));
    expect(fixed.ok && fixed.scenario.simulator).toEqual({ processes: 1, connections: 64, transport: 'undici' });
    expect(issues(base({ simulator: { connections: 0 } }))).toEqual(['simulator.connections must be elastic or a whole number of connections ≥ 1 (a fixed pool per worker per target), got number 0']);
    expect(issues(base({ simulator: { connections: 'elastik' } }))).toEqual(['simulator.connections must be elastic or a whole number of connections ≥ 1 (a fixed pool per worker per target), got string "elastik"']);
    expect(issues(base({ simulator: { transport: 'curl' } }))).toEqual(['simulator.transport must be one of undici, raw, got string "curl"']);
    expect(issues(base({ simulator: { conections: 8 } }))).toEqual(['simulator.conections unknown key (did you mean connections?)']);
  });

  it('unknown keys, with "did you mean", at any depth', () => {
    expect(issues(base({ treshold: [] }))).toEqual(['treshold unknown key (did you mean thresholds?)']);
    expect(issues(base({ server: { stats: { stratgy: 'cron' } } }))).toEqual(['server.stats.stratgy unknown key (did you mean strategy?)']);
    expect(issues(base({ timeline: [{ at: '10s', refetch_host: { percent: 5 } }] }))).toEqual(['timeline[0].refetch_host unknown key (did you mean refetch_hosts?)']);
  });

  it('wrong types and bad durations', () => {
    expect(issues(base({ hosts: 'many' }))).toEqual(['hosts must be a number, got string "many"']);
    expect(issues(base({ server: { policy_update_interval: '5 minutes' } }))[0]).toMatch(/^server\.policy_update_interval invalid duration "5 minutes"/);
  });

  it('values outside their set, with "did you mean"', () => {
    expect(issues(base({ server: { stats: { strategy: 'crom' } } }))).toEqual(['server.stats.strategy must be one of cron, realtime, incremental, got string "crom" (did you mean cron?)']);
    expect(issues(base({ server: { store: 'mysq://root@127.0.0.1/db' } }))[0]).toMatch(/^server\.store must be "memory" or a mysql:\/\/ URL/);
    expect(issues(base({ target: { url: 'ftp://x' } }))[0]).toMatch(/^target\.url must be an http\(s\) URL/);
  });

  it('unknown platforms (fleet group raw platform, policy platform), with "did you mean"', () => {
    const group = { name: 'mac', count: 100, platform: 'darwn', os_version: '14.4.1' };
    expect(issues(base({ fleet: { groups: [group] } }))[0]).toMatch(/^fleet\.groups\[0\]\.platform unknown osquery platform "darwn" \(did you mean darwin\?\)/);
    expect(issues(base({ fleet: { groups: [{ ...group, platform: 'ubuntu' }] } }))).toEqual([]);
    expect(issues(base({ policies: [{ name: 'p', query: 'SELECT 1', platform: 'darwin,linx' }] }))).toEqual([
      'policies[0].platform has "linx", not one of darwin, windows, linux, chrome (did you mean linux?)',
    ]);
    expect(issues(base({ policies: [{ name: 'p', query: 'SELECT 1', platform: 'darwin, linux' }] }))).toEqual([]);
  });

  it('paths of timeline rules name the entry as written, even when the timeline is not in time order', () => {
    const timeline = [
      { at: '5m', refetch_hosts: { percent: 5 } },
      { at: '10s', edit_policies: { names: ['nope'], query: 'SELECT 1' } },
    ];
    expect(issues(base({ timeline }))).toEqual([
      'timeline[1].edit_policies.names no policy named "nope" exists at that time',
      'timeline[0].at is at or after the end of the run (duration 120s)',
    ]);
  });

  it('missing required fields and out-of-range numbers', () => {
    expect(issues(base({ timeline: [{ at: '10s', store_unavailable: {} }] }))).toEqual(['timeline[0].store_unavailable.for is required']);
    expect(issues(base({ timeline: [{ at: '10s', refetch_hosts: { percent: 150 } }] }))).toEqual(['timeline[0].refetch_hosts.percent must be <= 100']);
    expect(issues(base({ timeline: [{ refetch_hosts: { percent: 10 } }] }))).toEqual(['timeline[0].at is required']);
    expect(issues(base({ timeline: [{ at: '10s' }] }))[0]).toMatch(/^timeline\[0\] needs one event: ramp_hosts, add_policies/);
    expect(issues(base({ timeline: [{ at: '10s', refetch_hosts: { percent: 5 }, restart_server: {} }] }))[0]).toMatch(/has 2 events/);
  });

  it('thresholds: unknown metrics, wrong units, no comparison', () => {
    expect(issues(base({ thresholds: ['read.p98 < 200ms'] }))).toEqual(['thresholds[0] unknown metric "read.p98" (did you mean read.p90?)']);
    expect(issues(base({ thresholds: ['errors.rate < 5ms'] }))[0]).toMatch(/^thresholds\[0\] "errors\.rate" is measured in a fraction/);
    expect(issues(base({ thresholds: ['read.p99 200ms'] }))[0]).toMatch(/has no comparison/);
  });

  it('rules across sections', () => {
    expect(issues(base({ server: {}, target: { url: 'http://127.0.0.1:1' } }))[0]).toMatch(/^target and server are exclusive/);
    expect(issues(base({ timeline: [{ at: '3m', refetch_hosts: { percent: 5 } }] }))).toEqual(['timeline[0].at is at or after the end of the run (duration 120s)']);
    expect(issues(base({ timeline: [{ at: '0s', ramp_hosts: { to: 100, over: '10s' } }, { at: '20s', ramp_hosts: { to: 50 } }] }))[0]).toMatch(/ramps only go up/);
    expect(issues(base({ timeline: [{ at: '0s', ramp_hosts: { to: 60, over: '10s' } }] }))[0]).toMatch(/the last ramp ends at 60 hosts but the scenario has 100/);
    expect(issues(base({ policies: [{ name: 'Firewall', query: 'SELECT 1;' }], timeline: [{ at: '10s', edit_policies: { names: ['firewall'] } }] }))[0]).toMatch(/no policy named "firewall" exists at that time \(did you mean "Firewall"\?\)/);
    expect(issues(base({ target: { url: 'http://127.0.0.1:1' }, timeline: [{ at: '10s', restart_server: {} }] }))).toEqual([
      'timeline[0].restart_server needs the server osqsim starts; it cannot be applied to a target: server',
    ]);
    expect(issues(base({ target: 'http://127.0.0.1:1', thresholds: ['counts.error.max == 0'] }))[0]).toMatch(/set target\.api_token/);
  });

  it('policy files: loaded relative to the scenario, problems reported with their path', () => {
    const ok = check(base({ policies: { file: 'policies.yml', overrides: { 'Everything passes': { fail_rate: 0.25 } } } }));
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      expect(ok.scenario.policies.map((p) => p.name)).toEqual(['Firewall on', 'Everything passes']);
      expect(ok.scenario.policies[1]!.fail_rate).toBe(0.25);
    }
    expect(check(base({ policies: 'policies.yml' })).ok).toBe(true);
    expect(issues(base({ policies: 'nope.yml' }))[0]).toMatch(/^policies policy file not found: nope\.yml/);
    expect(issues(base({ policies: 'bad-policies.yml' }))[0]).toMatch(/^policies invalid policy file:[\s\S]*spec\.name: is required/);
    // A policies: file brings its labels; its label-scoped policies keep their scope.
    const scoped = check(base({ policies: 'label-scoped-policies.yml' }));
    expect(scoped.ok && scoped.scenario.labels).toEqual([{ name: 'Engineering', description: '', query: "SELECT 1 FROM system_info WHERE hostname LIKE 'eng-%';", platform: '', label_membership_type: 'dynamic' }]);
    expect(scoped.ok && scoped.scenario.policies[0]).toMatchObject({ name: 'Engineering disk encryption', labels_include_any: ['Engineering'] });
    // A timeline's added policies come without their labels: a scoped one is refused rather than widened.
    expect(issues(base({ timeline: [{ at: '10s', add_policies: { file: 'label-scoped-policies.yml' } }] }))[0]).toMatch(
      /^timeline\[0\]\.add_policies\.file label-scoped-policies\.yml: a timeline's add_policies takes no label-scoped policies \("Engineering disk encryption" use labels_include_any/,
    );
    // Inline labels and reports are validated like the rest of the scenario.
    expect(issues(base({ labels: [{ name: 'L', label_membership_type: 'sometimes' }], reports: [{ name: 'R' }] }))).toEqual([
      expect.stringMatching(/^labels\[0\]\.label_membership_type /),
      expect.stringMatching(/^reports\[0\]\.query /),
    ]);
    expect(issues(base({ policies: { file: 'policies.yml', overrides: { 'Firewall': { fail_rate: 0.1 } } } }))[0]).toMatch(/^policies\.overrides\.Firewall no policy named "Firewall"/);
    const timeline = check(base({ timeline: [{ at: '10s', add_policies: { file: 'policies.yml', count: 3 } }] }));
    expect(timeline.ok && timeline.scenario.timeline[0]).toMatchObject({ kind: 'add_policies', count: 3, policies: [{ name: 'Firewall on' }, { name: 'Everything passes' }] });
  });

  it('fleet: builtin is osqsim\'s mixed fleet; other fleet keys may be added to it', () => {
    const result = check({ ...base(), fleet: 'builtin', hosts: 900 });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.scenario.fleet.groups.length).toBeGreaterThanOrEqual(6);
    const drifting = check({ ...base(), fleet: { builtin: true, drift: { flip_rate_per_hour: 2 } } });
    expect(drifting.ok && drifting.scenario.fleet.drift.flip_rate_per_hour).toBe(2);
    expect(issues({ ...base(), fleet: 'bultin' })[0]).toMatch(/^fleet must be a mapping with groups, or "builtin".*\(did you mean builtin\?\)/);
  });

  it('fleet: {builtin: true, compliance} sets the share of hardening settings the built-in fleet complies with', () => {
    const rows = (compliance: number, table: string): number => {
      const result = check({ ...base(), fleet: { builtin: true, compliance } });
      if (!result.ok) throw new Error(result.issues.join('\n'));
      return result.scenario.fleet.groups.reduce((sum, group) => sum + (group.tables[table]?.length ?? 0), 0);
    };
    const managedRows = (compliance: number): number => rows(compliance, 'managed_policies');
    // Unmanaged hosts have no profile: fewer managed_policies rows at a lower compliance level.
    expect(managedRows(0.2)).toBeLessThan(managedRows(0.68));
    expect(managedRows(0.68)).toBeLessThan(managedRows(1));
    expect(rows(0, 'registry')).toBeLessThan(rows(1, 'registry'));
    expect(issues({ ...base(), fleet: { builtin: true, compliance: 1.5 } })[0]).toMatch(/^fleet\.compliance must be a number from 0 to 1/);
    expect(issues({ ...base(), fleet: { builtin: true, compliance: 'high' } })[0]).toMatch(/^fleet\.compliance must be a number from 0 to 1/);
  });

  it('reports every problem at once', () => {
    const all = issues(base({ hosts: -1, server: { store: 'x', stats: { strategy: 'nope' } }, thresholds: ['foo < 1'], timeline: [{ at: 'soon', refetch_hosts: { percent: 0 } }] }));
    expect(all.length).toBeGreaterThanOrEqual(6);
    expect(all.map((line) => line.split(' ')[0])).toEqual(expect.arrayContaining(['hosts', 'server.store', 'server.stats.strategy', 'thresholds[0]', 'timeline[0].at', 'timeline[0].refetch_hosts.percent']));
  });
});

describe('built-in scenarios', () => {
  const dir = join(import.meta.dirname, '..', '..', 'scenarios');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

  it('ships the ten documented scenarios', () => {
    expect(files.map((f) => f.replace('.yaml', '')).sort()).toEqual(
      ['cis-like', 'fleet-defaults', 'fleetd-defaults', 'policy-edit-under-load', 'policy-rollout', 'quickstart', 'reconnect-wave', 'refetch-storm', 'stats-strategies', 'steady-10k'].sort(),
    );
  });

  it('fleetd-defaults is fleet-defaults with every built-in group under fleetd', () => {
    const plain = readScenario(join(dir, 'fleet-defaults.yaml'));
    const fleetd = readScenario(join(dir, 'fleetd-defaults.yaml'));
    expect(plain.ok && fleetd.ok).toBe(true);
    if (!plain.ok || !fleetd.ok) return;
    // The built-in groups say which agent they run: it decides whether they report orbit's tables.
    expect(plain.scenario.fleet.groups.every((g) => g.agent === 'osquery' && !('orbit_info' in g.tables))).toBe(true);
    expect(fleetd.scenario.fleet.groups.every((g) => g.agent === 'fleetd' && (g.tables['orbit_info']?.length ?? 0) === 1)).toBe(true);
    expect(fleetd.scenario.fleet.groups.map((g) => g.name)).toEqual(plain.scenario.fleet.groups.map((g) => g.name));
    expect(fleetd.scenario.agent.fleetd_phase).toBe('steady');
    expect({ ...fleetd.scenario.agent, fleetd_phase: 'start' }).toEqual(plain.scenario.agent);
    expect(fleetd.scenario.hosts).toBe(plain.scenario.hosts);
  });

  // docs/fidelity.md "Request mix, measured": the load-test environment's reports are not published
  // (its database comes from a private snapshot), and at Fleet's defaults none is scheduled: a new
  // report has interval 0 (frontend/utilities/constants.tsx DEFAULT_QUERY) and the standard query
  // library's reports carry no interval. So these scenarios schedule no report and their hosts send
  // status logs only; adding one changes the measured mix and must come with the docs.
  it('fleet-defaults and fleetd-defaults run at Fleet\'s defaults: 10 s / 60 s / 10 s agent, 1 h server intervals (ms), no scheduled report', () => {
    for (const file of ['fleet-defaults.yaml', 'fleetd-defaults.yaml']) {
      const result = readScenario(join(dir, file));
      expect(result.ok, file).toBe(true);
      if (!result.ok) continue;
      const { agent, server, reports } = result.scenario;
      expect([agent.distributed_interval, agent.config_refresh, agent.logger_tls_period], file).toEqual([10_000, 60_000, 10_000]);
      expect([server?.policy_update_interval, server?.detail_update_interval, server?.label_update_interval], file).toEqual([3_600_000, 3_600_000, 3_600_000]);
      expect(reports.filter((report) => (report.interval ?? 0) > 0), file).toEqual([]);
    }
  });

  it('fleet: {builtin: true, agent: …} refuses an unknown agent with its path', () => {
    const result = readScenarioDocument({ name: 'x', hosts: 10, fleet: { builtin: true, agent: 'fleetdd' } }, 'x.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]).toEqual({ path: 'fleet.agent', message: 'must be one of osquery, fleetd, got "fleetdd" (did you mean fleetd?)' });
    const desktopOff = readScenarioDocument({ name: 'x', hosts: 10, fleet: { builtin: true, agent: 'fleetd', fleet_desktop: false } }, 'x.yaml');
    expect(desktopOff.ok && desktopOff.scenario.fleet.groups.every((g) => g.agent === 'fleetd' && g.fleet_desktop === false)).toBe(true);
  });

  it.each(files)('%s validates', (file) => {
    const result = readScenario(join(dir, file));
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it('quickstart stays small enough for a first run (1,000–2,000 hosts, about 2 minutes)', () => {
    const result = readScenario(join(dir, 'quickstart.yaml'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.scenario.hosts).toBeGreaterThanOrEqual(1000);
    expect(result.scenario.hosts).toBeLessThanOrEqual(2000);
    expect(result.scenario.duration).toBeLessThanOrEqual(150_000);
    expect(result.scenario.server!.stats.interval).toBeLessThanOrEqual(30_000);
  });

  it('osqsim scenario validate exits 2 on a bad file and 0 on good ones', () => {
    const out: string[] = [];
    expect(validateCommand([join(dir, 'quickstart.yaml')], (t) => out.push(t), (t) => out.push(t))).toBe(EXIT.OK);
    expect(validateCommand([join(FIXTURES, 'bad-policies.yml')], (t) => out.push(t), (t) => out.push(t))).toBe(EXIT.INVALID_INPUT);
    expect(out.join('')).toMatch(/fleet is required/);
  });
});
