import { expect, test } from 'vitest';
import { validateScenario } from '../../scenarios/schema/scenario.js';
import { parseScenarioText, scenarioOrThrow } from '../../scenarios/read.js';
import { AGENT_DEFAULTS } from '../../contract/fleet-spec.js';
import { fleetPlatformOf, platformMatches } from '../../contract/platforms.js';
import { planScenario } from '../../scenarios/plan.js';

const fleet = { groups: [{ name: 'mac', count: 10, platform: 'darwin', os_version: '14.4' }] };

test('a minimal scenario gets every default, durations in ms, hosts from the counts', () => {
  const result = validateScenario({ fleet });
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  expect(result.scenario.hosts).toBe(10);
  expect(result.scenario.agent).toEqual(AGENT_DEFAULTS);
  expect(result.scenario.fleet.groups[0]!.tables).toEqual({});
  expect(result.scenario.fleet.drift.flip_rate_per_hour).toBe(0);
  expect(Object.isFrozen(result.scenario.fleet.groups[0])).toBe(true);
});

test('every problem is reported at once, with its path and a did-you-mean for unknown keys', () => {
  const result = validateScenario({
    hosts: 100,
    agent: { distributed_intervall: '10s', pacing: 'fixed-rat', logger_tls_period: 'soon' },
    fleet: {
      groups: [
        { name: 'a', weight: 0, platform: 'darwin', os_version: '14' },
        { name: 'b', platform: 'windows', os_version: '10', tables: { 'bad-name': [] } },
        { name: 'c', count: 1, weight: 1, platform: 'ubuntu' },
      ],
    },
    policies: [{ query: 'SELECT 1', fail_rate: 2 }],
  });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  const lines = result.issues.map((i) => `${i.path} ${i.message}`);
  expect(lines).toEqual(
    expect.arrayContaining([
      'agent.distributed_intervall unknown key (did you mean distributed_interval?)',
      expect.stringMatching(/^agent\.pacing must be one of fixed-delay, fixed-rate.*did you mean fixed-rate/),
      expect.stringMatching(/^agent\.logger_tls_period invalid duration/),
      'fleet.groups[0].weight must be > 0',
      'fleet.groups[1].tables.bad-name table names are letters, digits and _',
      'fleet.groups[2].os_version is required',
      'policies[0].name is required',
      'policies[0].fail_rate must be <= 1',
    ]),
  );
  expect(lines.length).toBeGreaterThanOrEqual(8);
});

test('counts and weights must add up with hosts', () => {
  const mismatch = validateScenario({ hosts: 5, fleet });
  expect(mismatch.ok).toBe(false);
  if (!mismatch.ok) expect(mismatch.issues[0]!.message).toMatch(/add up to 10/);
  const weighted = validateScenario({ fleet: { groups: [{ name: 'a', weight: 1, platform: 'darwin', os_version: '14' }] } });
  expect(weighted.ok).toBe(false);
  if (!weighted.ok) expect(weighted.issues[0]).toEqual({ path: 'hosts', message: 'is required when a fleet group has a weight' });
});

test('scenario text is read from YAML; SCENARIO_INVALID lists every problem', () => {
  const parse = (text: string) => scenarioOrThrow(parseScenarioText(text, 'scenario'));
  const yaml = 'fleet:\n  groups:\n    - {name: mac, count: 2, platform: darwin, os_version: "14"}\nduration: 2m\n';
  expect(parse(yaml).duration).toBe(120_000);
  expect(() => parse('fleet: {}\nbogus: 1\n')).toThrow(/(?=[\s\S]*fleet\.groups is required)(?=[\s\S]*bogus unknown key)/);
});

test('a hand-written platform (Ubuntu) validates to what osquery reports (ubuntu), which Fleet scopes to linux policies', () => {
  const result = validateScenario({
    fleet: { groups: [{ name: 'u', count: 60, platform: ' Ubuntu ', os_version: '22.04' }] },
    policies: [{ name: 'linux only', query: 'SELECT 1', platform: 'linux' }],
  });
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  const raw = result.scenario.fleet.groups[0]!.platform;
  expect(raw).toBe('ubuntu');
  expect(fleetPlatformOf(raw)).toBe('linux');
  expect(platformMatches('linux', fleetPlatformOf(raw))).toBe(true);
  const plan = planScenario(result.scenario);
  expect(plan.groups[0]).toMatchObject({ fleet_platform: 'linux', policies_in_scope: 1 });
});
