/** A scenario's fleetctl policy file: its labels and reports join the scenario; other kinds are named in notes, never dropped silently. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readScenario } from '../../scenarios/read.js';

describe('scenario policy files with other kinds', () => {
  it('takes the policies, labels and reports and names unserved kinds in notes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'osqsim-notes-'));
    writeFileSync(join(dir, 'lib.yml'), [
      'apiVersion: v1\nkind: policy\nspec:\n  name: P\n  query: SELECT 1 FROM os_version;\n',
      'apiVersion: v1\nkind: report\nspec:\n  name: R\n  query: SELECT 1;\n  interval: 60\n',
      'apiVersion: v1\nkind: label\nspec:\n  name: L\n  query: SELECT 1;\n',
      'apiVersion: v1\nkind: team\nspec:\n  team:\n    name: T\n',
    ].join('---\n'));
    writeFileSync(join(dir, 'scenario.yaml'), 'name: notes\nhosts: 2\nduration: 10s\npolicies: lib.yml\nfleet: builtin\n');
    const result = readScenario(join(dir, 'scenario.yaml'));
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.scenario.policies.map((p) => p.name)).toEqual(['P']);
    expect(result.scenario.labels.map((l) => [l.name, l.label_membership_type])).toEqual([['L', 'dynamic']]);
    expect(result.scenario.reports).toEqual([expect.objectContaining({ name: 'R', query: 'SELECT 1;', interval: 60, team: '' })]);
    expect(result.notes).toEqual(['lib.yml doc 4: kind "team" skipped: not applied (a scenario takes kind: label, policy, report)']);
  });
});
