import { describe, expect, it } from 'vitest';
import { formatPolicyYamlErrors, parsePolicyYaml } from '../../../server/policies/fleetctl-yaml.js';

const MIXED = `
apiVersion: v1
kind: policy
spec:
  name: Firewall enabled
  query: SELECT 1 FROM alf WHERE global_state >= 1;
---
apiVersion: v1
kind: report
spec:
  name: usb devices
  description: USB devices attached
  query: SELECT * FROM usb_devices;
  interval: 3600
  platform: "darwin, linux"
  min_osquery_version: 5.0.1
  automations_enabled: true
  logging: differential_ignore_removals
  observer_can_run: true
  discard_data: true
  team: Engineering
  purpose: ignored
---
apiVersion: v1
kind: query
spec:
  name: osquery info
  query: SELECT * FROM osquery_info;
---
apiVersion: v1
kind: team
spec:
  team:
    name: Engineering
---
apiVersion: v1
kind: report
spec:
  name: fleet alias
  query: SELECT 1;
  fleet: Servers
`;

describe('fleetctl kind: report / kind: query', () => {
  it('reads reports and deprecated queries beside policies, with Fleet defaults, and lists what it does not serve', () => {
    const result = parsePolicyYaml(MIXED, 'lib.yml');
    expect(result.errors).toEqual([]);
    expect(result.specs.map((s) => s.name)).toEqual(['Firewall enabled']);
    expect(result.queries).toEqual([
      {
        name: 'usb devices', description: 'USB devices attached', query: 'SELECT * FROM usb_devices;', team: 'Engineering',
        interval: 3600, observerCanRun: true, platform: 'darwin,linux', minOsqueryVersion: '5.0.1', automationsEnabled: true,
        logging: 'differential_ignore_removals', discardData: true,
      },
      {
        name: 'osquery info', description: '', query: 'SELECT * FROM osquery_info;', team: undefined, interval: 0,
        observerCanRun: false, platform: '', minOsqueryVersion: '', automationsEnabled: false, logging: 'snapshot', discardData: false,
      },
      expect.objectContaining({ name: 'fleet alias', team: 'Servers' }),
    ]);
    expect(result.notices).toEqual(['doc 3: `kind: query` is deprecated, please use `kind: report` instead']);
    expect(result.skipped).toEqual(['doc 4: kind "team" skipped']);
  });

  it('reports every bad field of every report document at once, naming document and key', () => {
    const bad = `
kind: report
spec:
  query: DELETE FROM users;
---
kind: report
spec:
  name: x
  query: SELECT 1;
  interval: -5
  logging: verbose
---
kind: report
spec:
  name: y
  query: SELECT 1;
  platform: macos
  automations_enabled: "yes"
---
kind: report
spec:
  name: z
  query: "   "
  team: No team
---
kind: report
spec:
  name: w
  query: SELECT 1;
  team: A
  fleet: A
---
kind: report
spec: [1]
---
kind: report
spec:
  name: dup
  query: SELECT 1;
---
kind: query
spec:
  name: dup
  query: SELECT 2;
`;
    const result = parsePolicyYaml(bad, 'bad.yml');
    expect(result.queries.map((q) => q.name)).toEqual(['dup', 'dup']);
    const lines = formatPolicyYamlErrors('bad.yml', result.errors).split('\n');
    expect(lines).toEqual([
      'bad.yml doc 1 spec.name: is required',
      'bad.yml doc 2 spec.logging: invalid logging value, must be one of \'snapshot\', \'differential\', \'differential_ignore_removals\'',
      'bad.yml doc 2 spec.interval: interval must be a whole number of seconds from 0 to 4294967295, got -5',
      expect.stringMatching(/^bad\.yml doc 3 spec\.platform: query's platform must be a comma-separated list .*\(got "macos"\)$/),
      'bad.yml doc 3 spec.automations_enabled: must be true or false',
      "bad.yml doc 4 spec.query: query's SQL query cannot be empty",
      'bad.yml doc 4 spec.team: queries belong to a team or are global (""): "No team" has no queries',
      'bad.yml doc 5 spec.fleet: give the team as either "team" or "fleet" (its 2026 name), not both',
      'bad.yml doc 6 spec: must be a mapping',
      'bad.yml doc 8 spec.name: report "dup" appears twice for the same team (first in doc 7)',
    ]);
  });

  it('refuses SQL that changes state, as for policies', () => {
    const result = parsePolicyYaml('kind: report\nspec:\n  name: evil\n  query: "SELECT 1; DROP TABLE x"\n', 'evil.yml');
    expect(result.errors).toEqual([{ doc: 1, path: 'spec.query', message: "query's SQL query is invalid: only one SQL statement is allowed" }]);
  });
});
