import { expect, test } from 'vitest';
import { validateScenario } from '../../scenarios/schema/scenario.js';

const group = { name: 'mac', count: 2, platform: 'darwin', os_version: '14.4' };

test('a fleet group can run fleetd, with or without Fleet Desktop', () => {
  const result = validateScenario({ fleet: { groups: [{ ...group, agent: 'fleetd' }, { ...group, name: 'kiosk', agent: 'fleetd', fleet_desktop: false }, { ...group, name: 'plain' }] } });
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  const [a, b, c] = result.scenario.fleet.groups;
  expect(a!.agent).toBe('fleetd');
  expect(a!.fleet_desktop).toBeUndefined();
  expect(b!.fleet_desktop).toBe(false);
  expect(c!.agent).toBeUndefined();
});

test('an unknown agent and fleet_desktop on an osquery group are reported with their path', () => {
  const result = validateScenario({ fleet: { groups: [{ ...group, agent: 'fleet' }, { ...group, name: 'b', agent: 'osquery', fleet_desktop: true }] } });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  const lines = result.issues.map((i) => `${i.path} ${i.message}`);
  expect(lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^fleet\.groups\[0\]\.agent unknown agent "fleet".*did you mean fleetd.*known: osquery, fleetd/),
      'fleet.groups[1].fleet_desktop applies to `agent: fleetd` groups only (Fleet Desktop is part of fleetd)',
    ]),
  );
});
